package io.followermaze.server.egress;

import io.followermaze.session.SessionTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole egress with real threads: the test thread is the pipeline, two real event loops take the hand-offs
 * (in-VM channels, so no sockets), with random batch sizes, early hand-offs, a ring so small that the pipeline
 * often finds it full, and random pauses on the pipeline side. Every client must receive exactly its own
 * notifications, in order, and the counters the loops publish must add up (nothing left in flight at the end).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang (a lost wake-up, a wait that never ends) fails
class EgressStressTest {
    private static final int CLIENTS = 8;
    private static final int NOTIFICATIONS = 150_000;
    private static final int HOG_BATCH = 64 << 10;

    /** A client: keeps what it reads (on its loop thread), publishes the count for the test thread. */
    private static final class Reader extends ChannelInboundHandlerAdapter {
        private final StringBuilder text = new StringBuilder();
        private volatile int length;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            final ByteBuf buf = (ByteBuf) msg;
            try {
                synchronized (text) {
                    text.append(buf.toString(StandardCharsets.US_ASCII));
                    length = text.length();
                }
            } finally {
                buf.release();
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }

    @Test
    void everyClientReceivesExactlyItsNotificationsInOrder() throws Exception {
        final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            final LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
            final LocalAddress address = new LocalAddress("egress-stress-" + System.nanoTime());
            final Channel server = new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                    }
                }).bind(address).sync().channel();

            // Ring of 4 records per loop, early hand-off after 4 kB: both paths taken all the time. The last client
            // is a hog: once, it gets more in one batch than the per-client bound, and is cut off.
            final Egress egress = new Egress(HOG_BATCH - 1, 256 << 20, Egress.MIN_BYTES_PER_SESSION, 600_000, 600_000,
                PooledByteBufAllocator.DEFAULT, 4);
            final SessionTable table = new SessionTable();
            final ChannelSession[] sessions = new ChannelSession[CLIENTS];
            final Reader[] readers = new Reader[CLIENTS];
            final StringBuilder[] expected = new StringBuilder[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                readers[i] = new Reader();
                final Reader reader = readers[i];
                new Bootstrap().group(loops).channel(LocalChannel.class).handler(reader).connect(address).sync();
                final Channel serverSide = accepted.poll(10, TimeUnit.SECONDS);
                assertNotNull(serverSide, "connection not accepted");
                sessions[i] = egress.newSession(i + 1, serverSide);
                final ChannelSession session = sessions[i];
                serverSide.closeFuture().addListener(f -> egress.onClosed(session));
                table.register(sessions[i]);
                expected[i] = new StringBuilder();
            }

            final SplittableRandom random = new SplittableRandom(7);
            final int hog = CLIENTS - 1;
            final int hogAt = NOTIFICATIONS / 4 + random.nextInt(NOTIFICATIONS / 2);
            int hogExpected = -1;
            int sent = 0;
            while (sent < NOTIFICATIONS) {
                if (hogExpected < 0 && sent >= hogAt) {
                    hogExpected = expected[hog].length(); // what it got before: all of it, then nothing more
                    final byte[] big = new byte[HOG_BATCH];
                    sessions[hog].deliver(big, 0, big.length); // past the bound in one batch: cut off
                }
                final int batch = 1 + random.nextInt(200);
                for (int j = 0; j < batch && sent < NOTIFICATIONS; j++, sent++) {
                    final int client = random.nextInt(CLIENTS);
                    final String line = sent + "|" + "z".repeat(random.nextInt(120));
                    final byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
                    sessions[client].deliver(bytes, 0, bytes.length);
                    expected[client].append(line).append("\r\n");
                    egress.onEventRouted();
                    if (random.nextInt(64) == 0) {
                        Thread.yield();
                    }
                }
                egress.onBatchEnd();
                if (random.nextInt(16) == 0) {
                    LockSupport.parkNanos(random.nextInt(200_000));
                }
            }

            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            expected[hog].setLength(hogExpected);
            for (int i = 0; i < CLIENTS; i++) {
                while (readers[i].length < expected[i].length()) {
                    if (System.nanoTime() - deadline > 0) {
                        fail("client " + i + " received " + readers[i].length + " of " + expected[i].length() + " bytes");
                    }
                    LockSupport.parkNanos(1_000_000);
                }
                assertEquals(expected[i].toString(), readers[i].text(), "client " + i);
            }
            while (egress.outboundBytes() != 0) {
                if (System.nanoTime() - deadline > 0) {
                    fail(egress.outboundBytes() + " bytes still counted as held");
                }
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(1, egress.slowConsumersCutOff(), "the hog, and nobody else");
            assertTrue(sessions[hog].isCutOff());
            server.close().sync();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
