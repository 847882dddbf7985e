package io.socketlet.bench.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The ceiling: a plain NIO TCP echo, no WebSocket at all. One selector thread accepts, reads into
 * one shared direct buffer and writes straight back; only bytes the socket would not take are
 * copied and kept (reading that connection pauses until they are gone), so an idle connection
 * holds no buffer.
 */
final class TcpEchoServer {

    private TcpEchoServer() {
    }

    static BenchServer.Running start() throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        Thread loop = new Thread(() -> run(selector, server), "tcp-echo");
        loop.start();
        return new BenchServer.Running() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public void stop() throws Exception {
                loop.interrupt();
                selector.wakeup();
                loop.join(2000);
            }
        };
    }

    private static void run(Selector selector, ServerSocketChannel server) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                selector.select();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            SocketChannel ch;
                            while ((ch = server.accept()) != null) {
                                ch.configureBlocking(false);
                                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                                ch.register(selector, SelectionKey.OP_READ);
                            }
                            continue;
                        }
                        SocketChannel ch = (SocketChannel) key.channel();
                        if (key.isWritable()) {
                            ByteBuffer pending = (ByteBuffer) key.attachment();
                            ch.write(pending);
                            if (!pending.hasRemaining()) {
                                key.attach(null);
                                key.interestOps(SelectionKey.OP_READ);
                            }
                            continue;
                        }
                        if (key.isReadable()) {
                            while (true) {
                                buffer.clear();
                                int n = ch.read(buffer);
                                if (n < 0) {
                                    key.cancel();
                                    ch.close();
                                    break;
                                }
                                if (n == 0) {
                                    break;
                                }
                                buffer.flip();
                                ch.write(buffer);
                                if (buffer.hasRemaining()) {
                                    ByteBuffer pending = ByteBuffer.allocate(buffer.remaining());
                                    pending.put(buffer).flip();
                                    key.attach(pending);
                                    key.interestOps(SelectionKey.OP_WRITE);
                                    break;
                                }
                            }
                        }
                    } catch (IOException e) {
                        key.cancel();
                        try {
                            key.channel().close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("tcp-echo: " + e);
        } finally {
            try {
                selector.close();
                server.close();
            } catch (IOException ignored) {
                // exiting
            }
        }
    }
}
