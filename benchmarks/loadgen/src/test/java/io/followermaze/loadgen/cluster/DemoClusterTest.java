package io.followermaze.loadgen.cluster;

import io.followermaze.loadgen.cli.ToolsMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code demo --cluster 2} end to end: a dev broker in this JVM, ingest and two fan-out nodes as processes of this
 * class path, a small verified stream with the clients split over both nodes; PASS only if every client received
 * exactly its notifications, and no node process is left afterwards.
 */
class DemoClusterTest {

    @Test
    void demoClusterOfTwoFanOutNodesPassesAndLeavesNoProcessBehind() {
        final StringWriter out = new StringWriter();
        final CommandLine cl = ToolsMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        final List<ProcessHandle> before = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();

        final int exit = cl.execute("demo", "--cluster", "2", "--partitions", "3", "--total-events", "50000",
            "--concurrency-level", "20", "--log-interval", "0");

        assertEquals(0, exit, out.toString());
        assertTrue(out.toString().contains("PASS"), out.toString());
        assertTrue(out.toString().matches("(?s).*fanout-1 .*\\n.*fanout-2 .*"), "both fan-out nodes reported:\n" + out);
        assertTrue(out.toString().matches("(?s).*fanout-1 +\\d+ +\\d+ +[0-9.]+ +50,000 .*"), "fanout-1 released all:\n" + out);
        assertTrue(out.toString().matches("(?s).*ingest +\\d+ +\\d+ +[0-9.]+ +— +— +up\\n.*"), "ingest has no pipeline:\n" + out);
        assertEquals(before, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList(),
            "every node process stopped");
    }
}
