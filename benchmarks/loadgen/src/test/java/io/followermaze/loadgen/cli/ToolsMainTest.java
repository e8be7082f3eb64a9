package io.followermaze.loadgen.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./followermaze --help} runs this jar: it must know every command the launcher runs, the server's included. */
class ToolsMainTest {

    @Test
    void everyLauncherCommandIsASubcommandWithHelp() {
        final CommandLine cl = ToolsMain.commandLine();
        final Set<String> commands = cl.getSubcommands().keySet();
        assertTrue(commands.containsAll(Set.of("serve", "journal", "loadgen", "demo", "dev-broker", "cluster-bench",
            "help")), commands.toString());
        final StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("help", "journal"));
        assertTrue(out.toString().contains("inspect") && out.toString().contains("replay"), out.toString());
    }
}
