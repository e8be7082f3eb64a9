package io.followermaze.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** Native epoll where it loads (Linux x86_64), NIO elsewhere or on request. */
record Transport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel) {

    static Transport select(String requested) {
        final boolean epoll = switch (requested) {
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("epoll transport requested but unavailable", Epoll.unavailabilityCause());
                }
                yield true;
            }
            case "nio" -> false;
            default -> Epoll.isAvailable();
        };
        return epoll
            ? new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class)
            : new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }
}
