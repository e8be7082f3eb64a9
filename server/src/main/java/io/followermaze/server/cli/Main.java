package io.followermaze.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code followermaze <command>}: the entry point of the runnable jar. */
@Command(name = "followermaze", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Follower Maze: ordered social-event fan-out over a Disruptor pipeline behind Netty.",
    subcommands = {ServeCommand.class, JournalCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        // Netty's JFR events stay off unless asked for (-Dio.netty.jfr.enabled=true): its probe for JFR loads about
        // 100 classes, measured 0.3 to 0.5 CPU-s of the server's start-up here
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        System.exit(execute(new CommandLine(new Main()), args));
    }

    /**
     * Runs {@code args} on {@code cli}, a command line with {@code serve} among its subcommands (this jar's, or the
     * tools jar's): first the defaults {@code serve} takes from the environment, {@code --config} file and
     * {@code --profile}, then the command.
     *
     * @return the exit status: the command's, or 2 when those defaults are invalid (the reason on stderr)
     */
    public static int execute(CommandLine cli, String[] args) {
        try {
            ServeCommand.installDefaults(cli, args);
        } catch (IllegalArgumentException | CommandLine.ParameterException e) {
            System.err.println("followermaze: " + e.getMessage());
            return 2;
        }
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"followermaze " + (v == null ? "dev" : v) + " (commit " + commit() + ")",
                "JVM " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")};
        }

        /** The commit the jar was built from (followermaze-git.properties, written by the build), or "unknown". */
        static String commit() {
            try (java.io.InputStream in = Main.class.getResourceAsStream("/followermaze-git.properties")) {
                if (in == null) {
                    return "unknown";
                }
                final java.util.Properties p = new java.util.Properties();
                p.load(in);
                final String id = p.getProperty("git.commit.id.abbrev", "unknown");
                return "true".equals(p.getProperty("git.dirty")) ? id + "-dirty" : id;
            } catch (java.io.IOException e) {
                return "unknown";
            }
        }
    }
}
