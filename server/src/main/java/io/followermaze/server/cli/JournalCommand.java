package io.followermaze.server.cli;

import io.followermaze.journal.JournalFormat;
import io.followermaze.journal.Journal;
import io.followermaze.journal.JournalReader;
import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.snapshot.Snapshot;
import io.followermaze.snapshot.SnapshotFile;
import io.followermaze.snapshot.SnapshotStore;
import io.followermaze.pipeline.PipelineConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code followermaze journal inspect|replay DIR}: read-only tools for a journal directory (safe next to a running
 * server: they never truncate or repair).
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
    description = "Inspect or replay an input journal (read-only).",
    subcommands = {JournalCommand.Inspect.class, JournalCommand.Replay.class})
public final class JournalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Exit status when the journal is damaged in the middle (a torn tail alone is not: the server truncates it). */
    static final int DAMAGED = 1;

    @Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"List the segments and records of a journal, verify every header and record CRC, and report "
            + "the first and last problem.", "Exit status 0 when the journal is clean or only its last record is "
            + "torn (the server truncates that at start), 1 when it is damaged in the middle, 2 on bad usage."})
    static final class Inspect implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The journal directory (--journal-dir).")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (!isDirectory(spec, dir)) {
                return 2;
            }
            final PrintWriter out = spec.commandLine().getOut();
            final long[] seqRange = {Long.MAX_VALUE, Long.MIN_VALUE};
            final JournalReader.Result r = JournalReader.read(dir, JournalReader.Mode.INSPECT,
                (payload, offset, length, at) -> seqRange(payload, offset, length, seqRange));
            out.printf("journal %s (format version %d)%n", dir, JournalFormat.VERSION);
            out.printf("%-34s %8s %12s %10s %12s %12s%n", "segment", "index", "first record", "records", "good bytes",
                "file bytes");
            for (JournalReader.Segment s : r.segments()) {
                out.printf("%-34s %8d %12d %10d %12d %12d%n", s.file().getFileName(), s.index(), s.firstRecord(),
                    s.records(), s.validBytes(), s.fileBytes());
            }
            out.printf("segments: %d%n", r.segments().size());
            out.printf("records: %d%n", r.records());
            out.printf("payload bytes: %d%n", r.payloadBytes());
            out.printf("file bytes: %d%n", r.segments().stream().mapToLong(JournalReader.Segment::fileBytes).sum());
            out.printf("seq range: %s%n", seqRange[0] > seqRange[1] ? "none"
                : seqRange[0] + ".." + seqRange[1] + " (of the lines before the first problem)");
            out.printf("end: %s%n", r.end());
            boolean goodSnapshot = false;
            for (Path file : new SnapshotStore(dir).newestFirst()) {
                final Snapshot snap = new Snapshot();
                try {
                    SnapshotFile.read(file, snap);
                    goodSnapshot = true;
                    out.printf("snapshot %s: %s, CRC good%n", file.getFileName(), snap);
                } catch (SnapshotFile.CorruptSnapshotException e) {
                    out.printf("snapshot %s: DAMAGED (%s)%n", file.getFileName(), e.getMessage());
                }
            }
            if (!goodSnapshot && !r.segments().isEmpty() && r.segments().get(0).firstRecord() > 0) {
                out.println("no good snapshot, and the journal does not start at record 0: the state can not be rebuilt");
            }
            if (r.clean()) {
                out.println("problems: none (every CRC verified)");
                return 0;
            }
            out.printf("problems: %d%n", r.problems().size());
            out.printf("first problem: %s%n", r.problems().get(0));
            out.printf("last problem: %s%n", r.problems().get(r.problems().size() - 1));
            final boolean damaged = r.problems().stream().anyMatch(p -> !p.startsWith("torn tail"));
            if (damaged) {
                out.println("the server refuses to start on this journal; --journal-repair truncates it at the first "
                    + "problem");
            }
            return damaged ? DAMAGED : 0;
        }

        /** The seq of each line: the digits before its first '|'. */
        private static void seqRange(byte[] b, int offset, int length, long[] range) {
            final int end = offset + length;
            int i = offset;
            while (i < end) {
                long seq = 0;
                int digits = 0;
                while (i < end && b[i] >= '0' && b[i] <= '9' && digits < 19) {
                    seq = seq * 10 + (b[i] - '0');
                    digits++;
                    i++;
                }
                if (digits > 0 && i < end && b[i] == '|') {
                    range[0] = Math.min(range[0], seq);
                    range[1] = Math.max(range[1], seq);
                }
                while (i < end && b[i] != '\n') {
                    i++;
                }
                i++;
            }
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay a journal into a fresh graph, as the server does at start (without truncating "
            + "anything), and print its size, cursor and a digest of its edges, so that two replays can be compared.",
            "Give the graph and resequencer limits the server runs with: they decide what is kept."})
    static final class Replay implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The journal directory (--journal-dir).")
        Path dir;

        @Option(names = "--max-users", paramLabel = "N", description = "As for serve.")
        long maxUsers = PipelineConfig.DEFAULT_MAX_USERS;

        @Option(names = "--max-follows", paramLabel = "N", description = "As for serve.")
        long maxFollows = PipelineConfig.DEFAULT_MAX_FOLLOWS;

        @Option(names = "--max-pending", paramLabel = "N", description = "As for serve.")
        long maxPending = PipelineConfig.DEFAULT_MAX_PENDING;

        @Option(names = "--window-size", paramLabel = "N", description = "As for serve.")
        int windowSize = PipelineConfig.DEFAULT_WINDOW_SIZE;

        @Option(names = "--max-seq-ahead", paramLabel = "N", description = "As for serve.")
        long maxSeqAhead = PipelineConfig.DEFAULT_MAX_SEQ_AHEAD;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (!isDirectory(spec, dir)) {
                return 2;
            }
            final PrintWriter out = spec.commandLine().getOut();
            final PipelineConfig config = PipelineConfig.builder().maxUsers(maxUsers).maxFollows(maxFollows)
                .maxPending(maxPending).windowSize(windowSize).maxSeqAhead(maxSeqAhead).build();
            final SequenceRouteStage stage = new SequenceRouteStage(config, EgressListener.NONE);
            final long start = System.nanoTime();
            // as the server does: the newest good snapshot, then the journal after it
            final Journal.Rebuilt rebuilt = Journal.rebuild(dir, JournalReader.Mode.INSPECT, stage);
            if (rebuilt.snapshotFile() != null) {
                out.printf("snapshot: %s (%s)%n", rebuilt.snapshotFile().getFileName(), rebuilt.snapshot());
            }
            final JournalReader.Result r = rebuilt.read();
            final long millis = (System.nanoTime() - start) / 1_000_000;
            final long released = stage.resequencer().releasedCount().get();
            out.printf("journal: %s: %d records, %d payload bytes, %d segment(s)%n", dir, r.records(), r.payloadBytes(),
                r.segments().size());
            final List<String> problems = r.problems();
            out.printf("replayed: %s%n", problems.isEmpty() ? "all of it"
                : "up to the first problem: " + problems.get(0));
            out.printf("events: %d%n", released);
            out.printf("duplicates: %d%n", stage.resequencer().duplicatesDropped().get());
            out.printf("gaps skipped: %d (%d seqs)%n", stage.resequencer().gapsSkipped().get(),
                stage.resequencer().seqsSkipped().get());
            out.printf("users: %d%n", stage.graph().userCount());
            out.printf("edges: %d%n", stage.graph().edgeCount());
            out.printf("held: %d%n", stage.resequencer().pending());
            out.printf("next_seq: %d%n", released + stage.resequencer().seqsSkipped().get() + 1);
            out.printf("digest: %016x%n", stage.graph().digest());
            out.printf("time: %d ms%n", millis);
            return problems.stream().anyMatch(p -> !p.startsWith("torn tail")) ? DAMAGED : 0;
        }
    }

    /** False, with a line on stderr, when {@code dir} is not a directory (bad usage: exit 2). */
    private static boolean isDirectory(CommandLine.Model.CommandSpec spec, Path dir) {
        if (Files.isDirectory(dir)) {
            return true;
        }
        spec.commandLine().getErr().println("not a directory: " + dir);
        return false;
    }
}
