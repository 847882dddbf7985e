package io.socketlet.bench.server;

import io.socketlet.bench.ServerKind;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * One benchmark server, in its own JVM: {@code BenchServer KIND [maxSeconds]}. Every kind serves,
 * on 127.0.0.1 and an ephemeral port:
 * <ul>
 *   <li>{@code /echo}: text and binary echo, no compression;</li>
 *   <li>{@code /echo-large}: the same, with message limits raised for 1 MiB (where the server
 *       needs that said);</li>
 *   <li>{@code /echo-deflate}: the same with permessage-deflate on (compressing every message);</li>
 *   <li>{@code /broadcast}: every text message is sent to every open connection of this path, by
 *       a plain loop over the sessions (socketlet: encoded once with {@code PreparedMessage}, or
 *       per connection with {@code sendText} when the message starts with {@code e});</li>
 *   <li>{@code /broadcast-deflate}: the same with permessage-deflate (socketlet: every message
 *       compressed, no context takeover, so one compressed frame serves all);</li>
 *   <li>{@code /room} (socketlet only): every connection joins one {@code io.socketlet.rooms} room,
 *       every text message is the room's broadcast; over Redis when {@code -Dbench.redis=URI} is
 *       given (room name {@code -Dbench.room}), so several processes share the room.</li>
 * </ul>
 * The TCP echo has no paths: it echoes bytes. The Jetty servers also speak h2c on their port, so
 * an HTTP/2 client can open WebSockets with RFC 8441's extended CONNECT.
 *
 * <p>Talks to the launcher over stdin/stdout: prints {@code READY port} once listening; answers
 * {@code STATS} with heap in use after a full GC, live threads and direct memory; stops on
 * {@code EXIT}, on end of input (so it never outlives its launcher), or after
 * {@code maxSeconds}.
 */
public final class BenchServer {

    /** A started server. */
    public interface Running {
        int port();

        void stop() throws Exception;
    }

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerKind kind = ServerKind.of(args[0]);
        long maxSeconds = args.length > 1 ? Long.parseLong(args[1]) : 1200;
        PrintStream control = System.out;
        // Libraries that print to stdout must not disturb the control channel.
        System.setOut(System.err);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000);
                System.err.println("BenchServer: " + maxSeconds + " s passed, halting");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException ignored) {
                // exiting
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        Running server = switch (kind) {
            case SOCKETLET_JETTY -> SocketletServers.jetty();
            case SOCKETLET_TOMCAT -> SocketletServers.tomcat();
            case JETTY -> JettyNativeServer.start();
            case TOMCAT -> TomcatNativeServer.start();
            case TCP -> TcpEchoServer.start();
        };
        control.println("READY " + server.port());
        control.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("STATS")) {
                control.println(stats());
                control.flush();
            } else if (line.equals("EXIT")) {
                break;
            }
        }
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("BenchServer: stop failed: " + e);
        }
        System.exit(0);
    }

    /** Heap in use after two full collections, live threads, direct buffer memory. */
    static String stats() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        return "STATS heap=" + heap + " threads=" + threads + " direct=" + direct;
    }
}
