package io.followermaze.server.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's configuration table has a row for every option of {@code serve}, showing its built-in default. */
class ReadmeConfigTableTest {
    @Test
    void everyServeOptionHasARowWithItsDefault() throws Exception {
        final List<String> rows = Files.readAllLines(Path.of("..", "README.md")).stream()
            .filter(l -> l.startsWith("| `--")).toList();
        for (OptionSpec o : new CommandLine(new ServeCommand()).getCommandSpec().options()) {
            final String name = o.longestName();
            if (name.equals("--help") || name.equals("--version")) {
                continue;
            }
            final String row = rows.stream().filter(r -> r.split("\\|")[1].contains("`" + name + "`")).findFirst()
                .orElse(null);
            assertTrue(row != null, "README.md's configuration table lacks " + name);
            final Object initial = o.defaultValue() != null ? o.defaultValue() : o.initialValue();
            if (initial != null) {
                final String shown = row.split("\\|")[2].trim();
                assertTrue(shown.startsWith(initial.toString()), "README.md shows " + name + " defaulting to '"
                    + shown + "', not " + initial);
            }
        }
    }
}
