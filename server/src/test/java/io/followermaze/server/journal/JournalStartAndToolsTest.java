package io.followermaze.server.journal;

import io.followermaze.journal.FsyncPolicy;
import io.followermaze.journal.JournalConfig;
import io.followermaze.journal.JournalFormat;
import io.followermaze.journal.JournalReader;
import io.followermaze.journal.JournalWriter;
import io.followermaze.graph.FollowerGraph;
import io.followermaze.server.cli.Main;
import io.followermaze.server.cli.ServeCommand;
import io.followermaze.server.testing.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starting on a damaged journal (refused, repaired, torn tail truncated) and the journal tools. */
class JournalStartAndToolsTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Follows i -> i+1 for seqs 1..count, one record per 10 events, in small segments. */
    private void writeJournal(int count) throws IOException {
        final JournalConfig config = JournalConfig.builder().dir(dir).segmentBytes(4096).fsync(FsyncPolicy.NEVER).build();
        final JournalReader.Result empty = JournalReader.read(dir, JournalReader.Mode.RECOVER, (p, o, l, at) -> { });
        try (JournalWriter w = new JournalWriter(config, empty, 1 << 16, JournalWriter.ChannelOpener.DEFAULT)) {
            final StringBuilder sb = new StringBuilder();
            for (int seq = 1; seq <= count; seq++) {
                sb.append(seq).append("|F|").append(seq).append('|').append(seq + 1).append('\n');
                if (seq % 10 == 0 || seq == count) {
                    final byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
                    w.append(b, 0, b.length);
                    sb.setLength(0);
                }
            }
            w.endBatch();
        }
    }

    private static long digestOfChain(int count) {
        long d = 0;
        for (int seq = 1; seq <= count; seq++) {
            d += FollowerGraph.edgeHash(seq, seq + 1);
        }
        return d;
    }

    private void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x33));
            b.rewind();
            ch.write(b, at);
        }
    }

    private record Run(int status, String out) {
    }

    private static Run cli(String... args) {
        final StringWriter out = new StringWriter();
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        final int status = Main.execute(cli, args);
        return new Run(status, out.toString());
    }

    private List<String> serve(String... extra) {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dlogback.configurationFile=logback.xml", "-Xmx128m",
            "-cp", System.getProperty("java.class.path"), "io.followermaze.server.cli.Main", "serve",
            "--bind", "127.0.0.1", "--event-port", "0", "--client-port", "0", "--journal-dir", dir.toString()));
        command.addAll(List.of(extra));
        return command;
    }

    @Test
    void damageInTheMiddleRefusesTheStartUnlessRepaired() throws Exception {
        writeJournal(2000);
        final Path second = JournalReader.segmentFiles(dir).get(1);
        final long offset = JournalFormat.HEADER_BYTES;
        flip(second, offset + 20);

        final Process refused = new ProcessBuilder(serve()).redirectErrorStream(true).start();
        final String output = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(refused.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(ServeCommand.JOURNAL_DAMAGED_EXIT_STATUS, refused.exitValue(), output);
        assertTrue(output.contains("cannot start") && output.contains(second.toString())
            && output.contains("offset " + offset) && output.contains("--journal-repair"), output);
        assertTrue(!output.contains("listening"), "no listener opened\n" + output);

        final Run inspect = cli("journal", "inspect", dir.toString());
        assertEquals(1, inspect.status(), inspect.out());
        assertTrue(inspect.out().contains("first problem: damage in " + second.getFileName() + " at offset " + offset),
            inspect.out());

        try (ServerProcess repaired = ServerProcess.start(List.of("-Xmx128m"),
            List.of("--journal-dir", dir.toString(), "--journal-repair"), LIMIT)) {
            assertTrue(repaired.outputText().contains("Journal repaired"), repaired.outputText());
            final JournalReader.Result kept = JournalReader.read(dir, JournalReader.Mode.INSPECT, (p, o, l, at) -> { });
            final long released = kept.records() * 10;
            assertEquals(0.0, repaired.metric("followermaze_journal_written_bytes_total"), "nothing new written yet");
            assertEquals(released + 1, (long) repaired.metric("followermaze_resequencer_next"), repaired.outputText());
        }
    }

    @Test
    void aTornTailIsTruncatedAndTheServerStarts() throws Exception {
        writeJournal(1000);
        final List<Path> segments = JournalReader.segmentFiles(dir);
        final Path last = segments.get(segments.size() - 1);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 3);
        }
        try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), List.of("--journal-dir", dir.toString()),
            LIMIT)) {
            assertTrue(server.outputText().contains("torn last record in " + last), server.outputText());
            assertTrue(server.outputText().contains("next seq 991"), server.outputText());
            assertEquals(991.0, server.metric("followermaze_resequencer_next"));
        }
    }

    /**
     * A full disk, for real: the process may write files of at most 64 KiB ({@code ulimit -f}), so the journal's write
     * fails with EFBIG. The write failure is fatal: exit status 70, nothing after it routed; a restart without the
     * limit recovers what was written.
     */
    @Test
    void aFailedJournalWriteExitsWithStatus70AndARestartRecovers() throws Exception {
        final List<String> javaCommand = serve("--journal-fsync", "never", "--metrics-port", "0");
        final StringBuilder command = new StringBuilder("ulimit -f 64; exec");
        for (String arg : javaCommand) {
            command.append(" '").append(arg.replace("'", "'\\''")).append('\'');
        }
        final Process server = new ProcessBuilder("bash", "-c", command.toString()).redirectErrorStream(true).start();
        final StringBuffer output = new StringBuffer(); // appended by the pump, read by the test
        final Thread pump = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(
                new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        pump.start();
        final java.util.regex.Pattern ports = java.util.regex.Pattern.compile("events on [^:]+:(\\d+)");
        int port = -1;
        final long deadline = System.nanoTime() + LIMIT.toNanos();
        while (port < 0 && System.nanoTime() < deadline && server.isAlive()) {
            final java.util.regex.Matcher m = ports.matcher(output.toString());
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            } else {
                Thread.sleep(20);
            }
        }
        assertTrue(port > 0, "the server to start\n" + output);
        final StringBuilder events = new StringBuilder();
        for (int seq = 1; seq <= 20_000; seq++) {
            events.append(seq).append("|B\n");
        }
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(events.toString().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException expected) {
            // the server went away
        }
        assertTrue(server.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS), "the server exits");
        pump.join(10_000);
        assertEquals(ServeCommand.FATAL_EXIT_STATUS, server.exitValue(), output.toString());
        assertTrue(output.toString().contains("FATAL") && output.toString().contains("journal write failed")
            && output.toString().contains("File too large"), output.toString());

        try (ServerProcess restarted = ServerProcess.start(List.of("-Xmx128m"), List.of("--journal-dir", dir.toString()),
            LIMIT)) {
            assertTrue(restarted.outputText().contains("Journal recovered from"), restarted.outputText());
            final double next = restarted.metric("followermaze_resequencer_next");
            assertTrue(next > 1 && next <= 20_001, "recovered cursor " + next);
        }
    }

    @Test
    void inspectAndReplayReportTheJournal() throws Exception {
        writeJournal(1500);
        final Run inspect = cli("journal", "inspect", dir.toString());
        assertEquals(0, inspect.status(), inspect.out());
        assertTrue(inspect.out().contains("records: 150"), inspect.out());
        assertTrue(inspect.out().contains("seq range: 1..1500"), inspect.out());
        assertTrue(inspect.out().contains("problems: none"), inspect.out());

        final Run replay = cli("journal", "replay", dir.toString());
        assertEquals(0, replay.status(), replay.out());
        assertTrue(replay.out().contains("events: 1500"), replay.out());
        assertTrue(replay.out().contains("edges: 1500"), replay.out());
        assertTrue(replay.out().contains("next_seq: 1501"), replay.out());
        assertTrue(replay.out().contains(String.format("digest: %016x", digestOfChain(1500))), replay.out());
        assertEquals(replay.out().replaceAll("time: .*", ""), cli("journal", "replay", dir.toString()).out()
            .replaceAll("time: .*", ""), "two replays agree");
        assertTrue(Files.exists(dir.resolve(JournalFormat.segmentName(0))));
    }
}
