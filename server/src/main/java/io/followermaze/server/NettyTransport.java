package io.followermaze.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** The Netty classes of the {@link Transport} in use: native epoll where it loads (Linux x86_64), NIO elsewhere. */
record NettyTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel) {

    static NettyTransport select(Transport requested) {
        final boolean epoll = switch (requested) {
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("epoll transport requested but unavailable", Epoll.unavailabilityCause());
                }
                yield true;
            }
            case NIO -> false;
            case AUTO -> Epoll.isAvailable();
        };
        return epoll
            ? new NettyTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class)
            : new NettyTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }
}
