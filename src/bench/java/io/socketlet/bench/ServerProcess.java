package io.socketlet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark server in its own JVM, started the same way for every kind: same java, same flags,
 * same class path; controlled over its stdin/stdout (see {@code BenchServer}), its stderr in a
 * log file. Every process started is stopped on {@link #close}, and by a shutdown hook if the
 * launcher is interrupted; a server also exits by itself when its stdin closes.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                p.destroyForcibly();
            }
        }, "bench-cleanup"));
    }

    public final ServerKind kind;
    private final Process process;
    private final PrintWriter control;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final int port;
    private final Path log;
    private volatile boolean ended;

    /** Heap and threads as the server's JVM reports them after a full GC; RSS and OS threads from /proc. */
    public record Stats(long heapBytes, int jvmThreads, long directBytes, long rssBytes, long osThreads) {
    }

    private ServerProcess(ServerKind kind, Process process, Path log) throws IOException {
        this.kind = kind;
        this.process = process;
        this.log = log;
        LIVE.add(process);
        this.control = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("READY ") || line.startsWith("STATS ")) {
                        lines.add(line);
                    } else {
                        // The JVM's own messages (JFR, "Terminating due to java.lang.OutOfMemoryError") go to the log.
                        java.nio.file.Files.writeString(log, "[stdout] " + line + System.lineSeparator(), StandardCharsets.UTF_8,
                                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
            ended = true;
            lines.add("EOF");
        }, "server-stdout-" + kind.id);
        reader.setDaemon(true);
        reader.start();
        // The JVM itself may print first (JFR's start message goes to stdout).
        long deadline = System.nanoTime() + 60_000_000_000L;
        String ready;
        do {
            ready = next(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L));
        } while (ready != null && !ready.startsWith("READY ") && System.nanoTime() < deadline);
        if (ready == null || !ready.startsWith("READY ")) {
            close();
            throw new IOException(kind.id + " did not start (got " + ready + "); see its log");
        }
        port = Integer.parseInt(ready.substring(6).trim());
    }

    /** Starts a server and waits until it listens. */
    public static ServerProcess start(ServerKind kind, List<String> jvmFlags, String classPath, Path log, long maxSeconds)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add("io.socketlet.bench.server.BenchServer");
        cmd.add(kind.id);
        cmd.add(Long.toString(maxSeconds));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ServerProcess(kind, pb.start(), log);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private String next(long seconds) {
        if (ended && lines.isEmpty()) {
            return null;
        }
        try {
            String line = lines.poll(seconds, TimeUnit.SECONDS);
            return line == null || line.equals("EOF") ? null : line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Asks the server for its memory after a full GC; RSS and threads come from /proc. */
    public Stats stats() throws IOException {
        lines.clear();
        control.println("STATS");
        String line;
        do {
            line = next(60);
            if (line == null) {
                throw new IOException(kind.id + " did not answer STATS");
            }
        } while (!line.startsWith("STATS "));
        Map<String, Long> v = new HashMap<>();
        for (String part : line.substring(6).trim().split(" ")) {
            String[] kv = part.split("=");
            v.put(kv[0], Long.parseLong(kv[1]));
        }
        long rssKb = ProcStats.status(pid(), "VmRSS");
        long threads = ProcStats.status(pid(), "Threads");
        return new Stats(v.get("heap"), v.get("threads").intValue(), v.get("direct"), rssKb * 1024, threads);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Why the process ended, from its log: the JVM's OutOfMemoryError line, or its exit status. */
    public String death() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(log)) {
                if (line.contains("OutOfMemoryError")) {
                    return line.replace("[stdout]", "").trim();
                }
            }
        } catch (IOException ignored) {
            // no log
        }
        return process.isAlive() ? "still running" : "exit status " + process.exitValue();
    }

    /** Asks the server to exit; kills it if it has not within a few seconds. */
    @Override
    public void close() {
        try {
            control.println("EXIT");
            control.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(3, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }
}
