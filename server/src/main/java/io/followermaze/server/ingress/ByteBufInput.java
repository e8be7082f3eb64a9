package io.followermaze.server.ingress;

import io.followermaze.ingress.ByteInput;
import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/** A Netty buffer's readable bytes as a framer's {@link ByteInput}; one per connection, re-pointed per read. */
final class ByteBufInput implements ByteInput {
    private ByteBuf buf;

    ByteBufInput wrap(ByteBuf buf) {
        this.buf = buf;
        return this;
    }

    @Override
    public int readable() {
        return buf.readableBytes();
    }

    @Override
    public int indexOfLineEnd() {
        final int at = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) '\n');
        return at < 0 ? -1 : at - buf.readerIndex();
    }

    @Override
    public int lastIndexOfLineEnd(int span) {
        final int at = buf.forEachByteDesc(buf.readerIndex(), span, ByteProcessor.FIND_LF);
        return at < 0 ? -1 : at - buf.readerIndex();
    }

    @Override
    public void read(byte[] dst, int offset, int length) {
        buf.readBytes(dst, offset, length);
    }

    @Override
    public void skip(int length) {
        buf.skipBytes(length);
    }
}
