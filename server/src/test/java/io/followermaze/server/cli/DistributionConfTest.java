package io.followermaze.server.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distribution's conf/followermaze.properties lists every option of {@code serve}, commented out at its default,
 * so that a user can see and set everything from the file.
 */
class DistributionConfTest {
    @Test
    void everyServeOptionIsInTheDistributionsPropertiesFile() throws Exception {
        final Path conf = Path.of("..", "dist", "conf", "followermaze.properties");
        final List<String> lines = Files.readAllLines(conf);
        for (OptionSpec o : new CommandLine(new ServeCommand()).getCommandSpec().options()) {
            final String name = o.longestName().replaceFirst("^-+", "");
            if (name.equals("help") || name.equals("version") || name.equals("config")) {
                continue;
            }
            // the built-in default: declared by the option (ServeOptions, from ServerConfig.DEFAULT) or its field
            final Object initial = o.defaultValue() != null ? o.defaultValue() : o.initialValue();
            final String line = "#" + name + "=" + (initial == null ? "" : initial);
            assertTrue(lines.contains(line), conf + " lacks '" + line + "'");
        }
    }
}
