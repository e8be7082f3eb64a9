package io.followermaze.loadgen.relay;

import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.RunResult;
import io.followermaze.loadgen.cli.ToolsMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loopback floor: the relay copies bytes unchanged, and a paced run through it times every line. */
@Timeout(30)
class RelayRunTest {

    @Test
    void relayCopiesTheSourceBytesToTheClientUnchanged() throws Exception {
        try (Relay relay = Relay.start("127.0.0.1");
             SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", relay.clientPort()));
             SocketChannel source = SocketChannel.open(new InetSocketAddress("127.0.0.1", relay.eventPort()))) {
            final byte[] sent = "2|B\n1|F|3|4\n".getBytes(StandardCharsets.US_ASCII);
            source.write(ByteBuffer.wrap(sent));
            source.shutdownOutput();
            final ByteBuffer got = ByteBuffer.allocate(64);
            while (client.read(got) >= 0) {
                // until the relay passes on the end of the stream
            }
            assertEquals(new String(sent, StandardCharsets.US_ASCII),
                new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII));
            assertEquals(sent.length, relay.bytesRelayed());
        }
    }

    @Test
    void pacedRunThroughTheRelayTimesEveryLine() throws Exception {
        final LoadgenConfig config = LoadgenConfig.builder().totalEvents(40_000).concurrency(10).rate(200_000)
            .logIntervalMillis(0).build();
        final RunResult r = RelayRun.run(config);
        assertNull(r.failure());
        assertEquals(40_000, r.events());
        assertEquals(40_000, r.notifications(), "every event line came back once");
        assertEquals(40_000, r.latency().getTotalCount(), "and was timed");
        assertTrue(r.wallNanos() >= 195_000_000L, "40,000 events at 200,000/s take 0.2 s: " + r.wallNanos());
    }

    @Test
    void relayNeedsARate() {
        assertThrows(IllegalArgumentException.class, () -> RelayRun.run(LoadgenConfig.builder().totalEvents(10).build()));
        final StringWriter err = new StringWriter();
        final CommandLine cl = ToolsMain.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("loadgen", "--relay", "--total-events", "10"));
        assertTrue(err.toString().contains("--relay measures latency at a rate"), err.toString());
    }

    @Test
    void cliPrintsTheFloorRow() {
        final StringWriter out = new StringWriter();
        final CommandLine cl = ToolsMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        assertEquals(0, cl.execute("loadgen", "--relay", "--rate", "100000", "--total-events", "20000",
            "--log-interval", "0", "--warmup-s", "0.05"), out.toString());
        assertTrue(out.toString().matches("(?s).*\\nrelay floor +100,000 +1\\d,\\d{3} +\\d+ .*"), out.toString());
    }
}
