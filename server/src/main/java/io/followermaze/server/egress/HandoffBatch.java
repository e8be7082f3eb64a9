package io.followermaze.server.egress;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * What one pipeline batch gives one event loop: (session, bytes) pairs in delivery order. Pooled and
 * linked intrusively through {@link #next}, so handing off allocates nothing in steady state.
 */
final class HandoffBatch {
    ChannelSession[] sessions = new ChannelSession[64];
    ByteBuf[] buffers = new ByteBuf[64];
    int size;
    HandoffBatch next;

    void add(ChannelSession session, ByteBuf buffer) {
        if (size == sessions.length) {
            sessions = Arrays.copyOf(sessions, size * 2);
            buffers = Arrays.copyOf(buffers, size * 2);
        }
        sessions[size] = session;
        buffers[size] = buffer;
        size++;
    }

    void clear() {
        Arrays.fill(sessions, 0, size, null);
        Arrays.fill(buffers, 0, size, null);
        size = 0;
        next = null;
    }
}
