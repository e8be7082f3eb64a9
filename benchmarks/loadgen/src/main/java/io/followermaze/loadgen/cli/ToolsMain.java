package io.followermaze.loadgen.cli;

import io.followermaze.server.cli.JournalCommand;
import io.followermaze.server.cli.Main;
import io.followermaze.server.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar followermaze-tools.jar <command>}: the server ({@code serve} and {@code journal}, the same
 * commands as the server jar's) plus the load generator/verifier ({@code loadgen}), the self-contained {@code demo},
 * a dev Kafka broker and the cluster benchmark, in one jar so that a benchmark needs nothing else on the machine
 * (and {@code ./followermaze --help} lists every command the launcher runs).
 */
@Command(name = "followermaze", mixinStandardHelpOptions = true,
    description = "Follower Maze server, load generator/verifier and demo.",
    subcommands = {ServeCommand.class, JournalCommand.class, LoadgenCommand.class, DemoCommand.class, DevBrokerCommand.class, ClusterBenchCommand.class, CommandLine.HelpCommand.class})
public final class ToolsMain implements Runnable {

    public static void main(String[] args) {
        System.exit(Main.execute(commandLine(), args));
    }

    /** The configured command line (enum values case-insensitive), for tests and {@link #main}. */
    public static CommandLine commandLine() {
        return new CommandLine(new ToolsMain()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
