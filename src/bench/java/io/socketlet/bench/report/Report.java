package io.socketlet.bench.report;

import io.socketlet.bench.ProcStats;
import io.socketlet.bench.Results;
import io.socketlet.bench.Results.Metric;
import io.socketlet.bench.ServerKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/** Writes docs/performance.md from a run's results. */
public final class Report {

    private Report() {
    }

    /** What the machine was and how busy it was, before and after the run. */
    public static final class Machine {
        final Instant start = Instant.now();
        Instant end;
        final String cpu;
        final int cores;
        final long memoryMb;
        final String kernel;
        final String java;
        final int openFiles;
        final double loadStart;
        double loadEnd;
        final double othersStart;
        double othersEnd;
        final List<String> serverFlags;
        final boolean quick;
        final int roundsPlanned;
        public int roundsDone;
        public int idleTarget;
        public int broadcastTarget;
        public int clusterTarget;
        public int deflateBroadcastTarget;
        /** Whether the open-files limit, not the options, set the number of idle connections. */
        public boolean idleCapped;

        private Machine(boolean quick, int rounds, List<String> serverFlags) {
            this.quick = quick;
            this.roundsPlanned = rounds;
            this.serverFlags = serverFlags;
            cpu = read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            cores = Runtime.getRuntime().availableProcessors();
            memoryMb = read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D+", "")) / 1024).orElse(0L);
            kernel = read("/proc/sys/kernel/osrelease").trim();
            java = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
            openFiles = read("/proc/self/limits").lines().filter(l -> l.startsWith("Max open files")).findFirst()
                    .map(l -> Integer.parseInt(l.substring(26).trim().split("\\s+")[0])).orElse(-1);
            loadStart = ProcStats.loadAverage();
            othersStart = othersNow();
        }

        public static Machine describe(boolean quick, int rounds, List<String> serverFlags) {
            return new Machine(quick, rounds, serverFlags);
        }

        /** CPU cores busy over 2 seconds while this benchmark runs nothing: other people's work. */
        static double othersNow() {
            ProcStats.CpuSnapshot a = ProcStats.CpuSnapshot.take(-1);
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ProcStats.CpuUse use = a.until(ProcStats.CpuSnapshot.take(-1));
            return use.foreignCores();
        }

        public void finish() {
            end = Instant.now();
            loadEnd = ProcStats.loadAverage();
            othersEnd = othersNow();
        }

        public int openFilesLimit() {
            return openFiles;
        }

        public String summary() {
            return String.format(Locale.ROOT, "%d x %s, %d MiB, Linux %s, %s; open files %d; load %.2f; other processes use %.2f cores",
                    cores, cpu, memoryMb, kernel, java, openFiles, loadStart, othersStart);
        }

        public String title() {
            return "socketlet vs native servers, " + DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(start)
                    + (quick ? " (quick run)" : "") + ", " + cores + " cores";
        }

        private static String read(String path) {
            try {
                return Files.readString(Path.of(path));
            } catch (IOException e) {
                return "";
            }
        }
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        } else if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        } else if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** The main table: medians, and in parentheses the median per-round ratio to Jetty native. */
    public static String table(Results results, List<ServerKind> servers) {
        StringBuilder sb = new StringBuilder("| Figure | Unit | Better |");
        for (ServerKind s : servers) {
            sb.append(' ').append(s.label).append(" |");
        }
        sb.append("\n|---|---|---|");
        sb.append("---:|".repeat(servers.size()));
        sb.append('\n');
        for (Metric m : Results.TABLE) {
            if (servers.stream().noneMatch(s -> results.has(m, s))) {
                continue;
            }
            sb.append("| ").append(m.label()).append(" | ").append(m.unit()).append(" | ")
                    .append(!m.compared() ? "–" : m.higherIsBetter() ? "higher" : "lower").append(" |");
            for (ServerKind s : servers) {
                OptionalDouble v = results.median(m, s);
                if (v.isEmpty()) {
                    sb.append(" n/a |");
                    continue;
                }
                sb.append(' ').append(fmt(v.getAsDouble()));
                OptionalDouble r = results.ratio(m, s, ServerKind.JETTY);
                if (r.isPresent() && m.compared()) {
                    sb.append(String.format(Locale.ROOT, " (%.2fx)", r.getAsDouble()));
                }
                sb.append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Issue 14's goals: a figure of socketlet's at most this many times the plain TCP echo's (or, for idle heap, KiB). */
    private record FloorGoal(Metric metric, String what, double jettyGoal, double tomcatGoal, boolean absolute) {
    }

    private static final List<FloorGoal> FLOOR_GOALS = List.of(
            new FloorGoal(Results.SMALL_CPU, "32 B text, 64 conns x 8 in flight: server CPU per message", 1.3, 1.3, false),
            new FloorGoal(Results.LARGE64K_CPU, "64 KiB binary, 16 conns x 4 in flight: server CPU per message", 1.2, 2.0, false),
            new FloorGoal(Results.LARGE1M_CPU, "1 MiB binary, 4 conns x 2 in flight: server CPU per message", Double.NaN, Double.NaN, false),
            // Node's ws holds 2.5 KiB per idle connection; Tomcat's own two 8 KiB socket buffers are its floor.
            new FloorGoal(Results.IDLE_HEAP, "idle connection: heap (KiB)", 2.5, 16.4 + 2.5, true));

    /**
     * Issue 14's table: socketlet's figure on each container, with its ratios, each taken within
     * one round, to the plain TCP echo (the floor) and to both native servers.
     */
    public static String floorTable(Results results) {
        ServerKind[] socketlet = {ServerKind.SOCKETLET_JETTY, ServerKind.SOCKETLET_TOMCAT};
        StringBuilder sb = new StringBuilder("| scenario | socketlet on Jetty | socketlet on Tomcat | plain TCP echo | Jetty native | Tomcat native | goal |\n");
        sb.append("|---|---|---|---:|---:|---:|---|\n");
        for (FloorGoal g : FLOOR_GOALS) {
            if (!results.has(g.metric(), ServerKind.SOCKETLET_JETTY) && !results.has(g.metric(), ServerKind.SOCKETLET_TOMCAT)) {
                continue;
            }
            sb.append("| ").append(g.what()).append(" |");
            StringBuilder verdict = new StringBuilder();
            for (ServerKind s : socketlet) {
                OptionalDouble v = results.median(g.metric(), s);
                if (v.isEmpty()) {
                    sb.append(" n/a |");
                    continue;
                }
                sb.append(' ').append(fmt(v.getAsDouble())).append(" (");
                List<String> ratios = new ArrayList<>();
                for (ServerKind base : List.of(ServerKind.TCP, ServerKind.JETTY, ServerKind.TOMCAT)) {
                    OptionalDouble r = results.ratio(g.metric(), s, base);
                    if (r.isPresent()) {
                        ratios.add(String.format(Locale.ROOT, "%.2fx %s", r.getAsDouble(),
                                base == ServerKind.TCP ? "TCP" : base == ServerKind.JETTY ? "Jetty" : "Tomcat"));
                    }
                }
                sb.append(String.join(", ", ratios)).append(") |");
                double goal = s == ServerKind.SOCKETLET_JETTY ? g.jettyGoal() : g.tomcatGoal();
                if (Double.isNaN(goal)) {
                    continue;
                }
                OptionalDouble measured = g.absolute() ? v : results.ratio(g.metric(), s, ServerKind.TCP);
                if (measured.isPresent()) {
                    boolean met = measured.getAsDouble() <= goal;
                    verdict.append(verdict.length() == 0 ? "" : "; ")
                            .append(s == ServerKind.SOCKETLET_JETTY ? "Jetty" : "Tomcat")
                            .append(String.format(Locale.ROOT, g.absolute() ? " <= %.1f KiB" : " <= %.1fx TCP", goal))
                            .append(met ? ": met" : ": **missed**");
                }
            }
            for (ServerKind base : List.of(ServerKind.TCP, ServerKind.JETTY, ServerKind.TOMCAT)) {
                OptionalDouble v = results.median(g.metric(), base);
                sb.append(' ').append(v.isPresent() ? fmt(v.getAsDouble()) : "n/a").append(" |");
            }
            sb.append(' ').append(verdict.length() == 0 ? "–" : verdict).append(" |\n");
        }
        return sb.toString();
    }

    /** The targets, each met or missed by how much. */
    static List<String> targets(Results results, List<JmhRunner.Result> jmh, int idleTarget, boolean idleCapped) {
        List<String> out = new ArrayList<>();
        ServerKind sj = ServerKind.SOCKETLET_JETTY;
        ServerKind st = ServerKind.SOCKETLET_TOMCAT;
        ratioTarget(out, results, Results.SMALL, Results.SMALL_CPU, sj, ServerKind.JETTY, 1.0, "Small echo, socketlet on Jetty vs Jetty native");
        ratioTarget(out, results, Results.SMALL, Results.SMALL_CPU, st, ServerKind.TOMCAT, 1.0, "Small echo, socketlet on Tomcat vs Tomcat native");
        for (Metric m : List.of(Results.LARGE64K, Results.LARGE1M)) {
            String size = m == Results.LARGE64K ? "64 KiB" : "1 MiB";
            for (ServerKind s : List.of(sj, st)) {
                Metric cpu = m == Results.LARGE64K ? Results.LARGE64K_CPU : Results.LARGE1M_CPU;
                ratioTarget(out, results, m, cpu, s, ServerKind.JETTY, 1.0, size + " echo, " + s.label + " vs Jetty native");
                ratioTarget(out, results, m, cpu, s, ServerKind.TCP, 0.7, size + " echo, " + s.label + " vs plain TCP echo");
            }
        }
        for (ServerKind s : List.of(sj, st)) {
            OptionalDouble held = results.median(Results.IDLE_COUNT, s);
            if (held.isPresent()) {
                boolean ok = held.getAsDouble() >= idleTarget;
                out.add(mark(ok) + String.format(Locale.ROOT, "Idle connections held by %s with -Xmx1g: %.0f of %d asked%s",
                        s.label, held.getAsDouble(), idleTarget, idleCapped ? " (20,000 not possible here: see the notes)" : ""));
            }
            OptionalDouble threads = results.median(Results.IDLE_THREADS, s);
            if (threads.isPresent()) {
                boolean ok = threads.getAsDouble() <= 4;
                out.add(mark(ok) + String.format(Locale.ROOT, "Threads do not grow with connections, %s: %+.0f OS threads for %.0f connections",
                        s.label, threads.getAsDouble(), held.orElse(0)));
            }
            lowerTarget(out, results, Results.IDLE_HEAP, s, "Heap per idle connection, " + s.label + " vs Jetty native");
            lowerTarget(out, results, Results.BCAST_P99, s, "Broadcast p99, " + s.label + " vs Jetty native");
        }
        for (JmhRunner.Result r : jmh) {
            if (r.name().equals("MaskingBench.unmask") || r.name().equals("Utf8ValidatorBench.ascii")) {
                boolean ok = r.gigabytesPerSecond() >= 4;
                out.add(mark(ok) + String.format(Locale.ROOT, "%s at least 4 GB/s on one core: %.2f GB/s%s", r.name(),
                        r.gigabytesPerSecond(), ok ? "" : String.format(Locale.ROOT, " (%.0f%% of the target)", 25 * r.gigabytesPerSecond())));
            }
        }
        return out;
    }

    private static String mark(boolean ok) {
        return ok ? "**met** — " : "**missed** — ";
    }

    /**
     * A throughput target, with the same comparison by server CPU per message beside it: on a
     * shared machine the CPU figure is the steadier one (at full load, throughput follows it).
     */
    private static void ratioTarget(List<String> out, Results results, Metric m, Metric cpu, ServerKind s, ServerKind base,
                                    double min, String what) {
        OptionalDouble r = results.ratio(m, s, base);
        if (r.isEmpty()) {
            return;
        }
        double v = r.getAsDouble();
        String line = mark(v >= min) + String.format(Locale.ROOT, "%s: %.2fx (target %.1fx%s)", what, v, min,
                v >= min ? "" : String.format(Locale.ROOT, "; short by %.0f%%", 100 * (min - v) / min));
        OptionalDouble c = results.ratio(cpu, s, base);
        if (c.isPresent() && c.getAsDouble() > 0) {
            line += String.format(Locale.ROOT, "; by server CPU per message %.2fx as efficient", 1 / c.getAsDouble());
        }
        out.add(line);
    }

    private static void lowerTarget(List<String> out, Results results, Metric m, ServerKind s, String what) {
        OptionalDouble r = results.ratio(m, s, ServerKind.JETTY);
        if (r.isEmpty()) {
            return;
        }
        double v = r.getAsDouble();
        out.add(mark(v <= 1.0) + String.format(Locale.ROOT, "%s: %.2fx (target at most 1.0x%s)", what, v,
                v <= 1.0 ? "" : String.format(Locale.ROOT, "; %.0f%% over", 100 * (v - 1))));
    }

    public static String markdown(Results results, List<JmhRunner.Result> jmh, Machine machine, List<ServerKind> servers,
                                  String command, Path runDir, List<String> profiles) throws IOException {
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder();
        sb.append("# Performance\n\n");
        sb.append("socketlet measured side by side with Jetty's and Tomcat's own WebSocket servers and a plain TCP echo, ")
                .append("on one machine, over 127.0.0.1. Written by the benchmark itself: rerun the command below instead of editing.\n\n");
        sb.append("```sh\n").append(command).append("\n```\n\n");
        sb.append("`bench/run.sh` builds what it needs (`mvn -Pbench`, build folder `target-bench`), runs every server as its own JVM ")
                .append("(`java ").append(String.join(" ", machine.serverFlags)).append("`), drives them all with one load client, ")
                .append("runs the JMH micro-benchmarks and writes this file and `docs/performance.png`. `bench/run.sh --quick` ")
                .append("does a short run (under 3 minutes) that proves the harness works; `bench/run.sh --help` lists the options. ")
                .append("Raw figures of every round: `").append(runDir).append("/rounds.csv`.\n\n");

        sb.append("## Results\n\n");
        if (machine.quick) {
            sb.append("> **Quick run**: one short round, fewer connections. It shows the harness works; its figures are not results.\n\n");
        }
        sb.append(String.format(Locale.ROOT, "Medians of %d interleaved round(s) (servers in turn, A B C … A B C …). In parentheses: the median ", machine.roundsDone))
                .append("over the rounds of the ratio to **Jetty native** measured in the same round. A ratio above 1 is better where ")
                .append("higher is better (throughput), below 1 where lower is better (CPU, memory, latency). ")
                .append("“Server CPU per message” is the server process's CPU time (user + system, from /proc) during the ")
                .append("measured window divided by the messages echoed in it: less sensitive to other load than throughput.\n\n");
        sb.append(table(results, servers)).append('\n');
        sb.append("![Ratios to Jetty native](performance.png)\n\n");
        sb.append("The plot shows every ratio turned so that right of 1 is better (throughput as is; CPU, memory and latency inverted), on a log scale.\n\n");

        Map<String, String> errors = results.errors();
        if (!errors.isEmpty()) {
            sb.append("### Failures in this run\n\n");
            sb.append("A failing server is kept out of that scenario's figures for that round (where it failed after a first ")
                    .append("measured step, the figures are that step's), and the run goes on.\n\n");
            errors.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v.replace("\n", " ")).append('\n'));
            sb.append('\n');
        }

        String floor = floorTable(results);
        if (floor.lines().count() > 2) {
            sb.append("## Against the floor (issue 14)\n\n");
            sb.append("Server CPU per message (us) and idle heap per connection, medians; in parentheses the median per-round ")
                    .append("ratio to the plain TCP echo (the physical floor: same client, same frames, no WebSocket work) ")
                    .append("and to Jetty's and Tomcat's own WebSocket servers, each measured in the same round.\n\n");
            sb.append(floor).append('\n');
        }

        String fanOut = ScenarioTables.fanOut(results);
        if (!fanOut.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "## Broadcast fan-out: 1 -> %,d (issue 14)%n%n", machine.broadcastTarget));
            sb.append("One connection sends 32 bytes of text; the server sends it to all connections (the sender too) with its best ")
                    .append("public API: socketlet encodes it once (`PreparedMessage.text`, then `send` on each connection; `sendText` ")
                    .append("per connection measured in turn with it on the same connections), Jetty and Tomcat loop over their sessions ")
                    .append("with their asynchronous sends (neither offers a way to encode once). Medians over the rounds; in parentheses the ")
                    .append("median per-round ratio to Jetty native and to Tomcat native. Deliveries per second: N divided by the time until ")
                    .append("the last of the N copies was read; CPU per delivery: the server's CPU over the measured broadcasts per copy.\n\n");
            sb.append(fanOut).append('\n');
        }
        String fanOutDeflate = ScenarioTables.fanOutDeflate(results);
        if (!fanOutDeflate.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "### The same with permessage-deflate: 1 -> %,d%n%n", machine.deflateBroadcastTarget));
            sb.append("Every connection offers permessage-deflate and the client inflates and checks every copy (it holds a compressor ")
                    .append("per connection, hence fewer connections). socketlet's endpoint compresses every message (`compressionThreshold=0`) ")
                    .append("without context takeover (`compressionContextTakeover=false`, as docs/rooms.md advises for broadcasts), so ")
                    .append("`PreparedMessage` compresses once for all; `sendText` per connection compresses for each. Jetty and Tomcat ")
                    .append("negotiate their defaults (context takeover) and compress per session.\n\n");
            sb.append(fanOutDeflate).append('\n');
        }
        String cluster = ScenarioTables.cluster(results);
        if (!cluster.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "## Rooms across nodes: 1 -> %,d over Redis (issue 13)%n%n", machine.clusterTarget));
            sb.append("One sender, N subscribers in one `io.socketlet.rooms` room (`/room` of the bench server: every connection joins, ")
                    .append("every text is `room.broadcast`, each node encodes once per broadcast), on socketlet on Jetty: two server processes ")
                    .append("sharing one Debian `redis-server` (started by the benchmark on a free port of 127.0.0.1, no persistence), the ")
                    .append("subscribers split evenly and the sender on the first; the same room on one node over that Redis; on one node with ")
                    .append("the in-JVM broker; and, for scale, Jetty's and Tomcat's own servers looping over their sessions on one node. ")
                    .append("A broadcast over Redis goes sender → node → `XADD` → every node's `XREAD` → its members, so its figures include ")
                    .append("the Redis round trip. CPU per delivery counts every server process and Redis. In parentheses: the median ")
                    .append("per-round ratio to the one node in memory and to Jetty native.\n\n");
            sb.append(cluster).append('\n');
        }
        String http2 = ScenarioTables.http2(results);
        if (!http2.isEmpty()) {
            sb.append("## WebSocket over HTTP/2 (RFC 8441)\n\n");
            sb.append("32-byte text echo, 16 WebSockets x 8 messages in flight, driven by Jetty's own WebSocket client (`jetty-websocket-jetty-client`) ")
                    .append("on both roads so that only the road differs: the HTTP/1.1 upgrade (16 TCP connections) and RFC 8441's extended CONNECT ")
                    .append("over h2c by prior knowledge (16 streams of one HTTP/2 connection, as a browser multiplexes them). Same ")
                    .append("Jetty server connector for both (HTTP/1.1 and h2c on one port). Tomcat 11 does not implement RFC 8441 ")
                    .append("(its `Http2Protocol` advertises no `SETTINGS_ENABLE_CONNECT_PROTOCOL`), so neither socketlet on Tomcat nor Tomcat ")
                    .append("native can be measured over HTTP/2. This client costs more CPU than the raw load client of the other echoes, ")
                    .append("so the server's CPU per message is the figure to compare; rates are bounded by the client on 2 cores.\n\n");
            sb.append(http2).append('\n');
        }

        sb.append("## Targets (issue 7)\n\n");
        for (String t : targets(results, jmh, machine.idleTarget, machine.idleCapped)) {
            sb.append("- ").append(t).append('\n');
        }
        sb.append('\n');

        if (!jmh.isEmpty()) {
            sb.append("## Micro-benchmarks (JMH)\n\n");
            sb.append("One thread, one fork (`-Xmx1g -XX:+UseG1GC`), ")
                    .append(machine.quick ? "1 x 0.5 s warm-up and 2 x 0.5 s measured (quick)" : "3 x 1 s warm-up and 5 x 1 s measured")
                    .append("; bytes are payload bytes.\n\n");
            sb.append("| Benchmark | Payload | ops/s | ± | GB/s |\n|---|---:|---:|---:|---:|\n");
            for (JmhRunner.Result r : jmh) {
                sb.append(String.format(Locale.ROOT, "| %s | %d B | %s | %s | %.2f |%n", r.name(), r.size(), fmt(r.opsPerSecond()),
                        fmt(r.error()), r.gigabytesPerSecond()));
            }
            sb.append('\n');
        }

        sb.append("## When and how these numbers were taken\n\n");
        sb.append(String.format(Locale.ROOT, "- From %s to %s, %d of %d planned round(s)%s.%n", time.format(machine.start),
                machine.end == null ? "?" : time.format(machine.end), machine.roundsDone, machine.roundsPlanned,
                machine.quick ? " (--quick)" : ""));
        sb.append(String.format(Locale.ROOT, "- Machine: %d x %s, %,d MiB, Linux %s; %s; open-files limit %d.%n",
                machine.cores, machine.cpu, machine.memoryMb, machine.kernel, machine.java, machine.openFiles));
        sb.append(String.format(Locale.ROOT, "- Others' load: 1-minute load average %.2f at the start and %.2f at the end; other processes ", machine.loadStart, machine.loadEnd))
                .append(String.format(Locale.ROOT, "used %.2f cores (of %d) in 2 s sampled before the run and %.2f after; ", machine.othersStart, machine.cores, machine.othersEnd));
        OptionalDouble foreign = results.medianAll(Results.FOREIGN);
        OptionalDouble foreignMax = results.max(Results.FOREIGN);
        if (foreign.isPresent()) {
            sb.append(String.format(Locale.ROOT, "during the measured echo windows they used %.2f cores (median; at most %.2f). ",
                    foreign.getAsDouble(), foreignMax.orElse(Double.NaN)));
        }
        sb.append("This machine is shared with other engineers' builds; anything above ~0.1 cores of others' load makes absolute figures noise. ")
                .append("Ratios within a round are less affected, but a build that starts in the middle of one server's turn still skews that round: ")
                .append("look at the per-round figures in `rounds.csv` before trusting a small difference.\n");
        OptionalDouble client = results.medianAll(Results.CLIENT_CORES);
        if (client.isPresent()) {
            sb.append(String.format(Locale.ROOT, "- The load client used %.2f cores (median over echo windows); the server gets what is left of %d.%n",
                    client.getAsDouble(), machine.cores));
        }
        sb.append(String.format(Locale.ROOT, "- Idle connections asked: %,d; broadcast fan-out connections: %,d; cluster subscribers: %,d.",
                machine.idleTarget, machine.broadcastTarget, machine.clusterTarget));
        if (machine.idleCapped) {
            sb.append(" The open-files limit (hard limit ").append(machine.openFiles)
                    .append(", which this container does not let even root raise) leaves room for fewer than 20,000: server and client each hold one descriptor per connection.");
        }
        sb.append('\n');
        sb.append("- Every server: `java ").append(String.join(" ", machine.serverFlags))
                .append(" io.socketlet.bench.server.BenchServer KIND`, the same class path, listening on 127.0.0.1, container defaults ")
                .append("(thread pools, selectors) except: connection limits raised for 20,000 connections (Tomcat `maxConnections=30000`), ")
                .append("idle timeouts of 10 minutes, and the native servers' message limits raised for 1 MiB ")
                .append("(Tomcat only on `/echo-large`, since it allocates its message buffers per connection up front).\n");
        sb.append("\n");
        sb.append(METHOD);
        Path notes = Path.of("bench/notes.md");
        if (Files.exists(notes)) {
            sb.append("\n").append(Files.readString(notes));
        }
        if (!profiles.isEmpty()) {
            sb.append("\n## Profiles recorded in this run\n\n");
            for (String p : profiles) {
                sb.append("- `").append(p).append("`\n");
            }
        }
        return sb.toString();
    }

    static final String METHOD = """
            ## What is measured

            - **Load client** (`io.socketlet.bench.client`): one JVM, one thread and one selector for all connections of a scenario, \
            raw RFC 6455 framing over `SocketChannel` (no WebSocket library); a fresh masking key for every frame (1 MiB \
            payloads are masked once per key in advance, four keys in turn); the handshake is sent without \
            `Content-Length`, as browsers send it, and its `Sec-WebSocket-Accept` is checked. Every echoed byte is compared \
            with what was sent (sequence numbers in every message, so a lost, repeated or reordered message fails the run), \
            every connection ends with a close handshake, and a failure stops that scenario for that server and is listed above.
            - **Small echo**: 64 connections, 8 messages in flight on each, 32-byte text messages; each verified echo sends \
            the next. Warm-up, then a measured window; messages per second. The TCP echo gets the same frames and returns \
            them byte for byte.
            - **permessage-deflate**: the same with `Sec-WebSocket-Extensions: permessage-deflate` offered by the client, which \
            compresses every message (context takeover) and inflates and checks every echo. socketlet runs with \
            `compressionThreshold=0` so that it compresses every message as the native servers do (its default of 256 bytes \
            would send these 32-byte messages uncompressed). The other scenarios offer no extension.
            - **Large echo**: 64 KiB binary messages on 16 connections with 4 in flight each, and 1 MiB messages on 4 \
            connections with 2 in flight each; MiB/s of payload echoed.
            - **Idle connections**: 200 connections opened, echoed and closed first (so the path is warm), then the server's \
            heap after two full GCs (`System.gc()` in the server JVM, G1), its RSS and OS thread count (`/proc/PID/status`) \
            are taken; then the idle connections are opened (16 client threads doing blocking handshakes), after one second \
            the same figures are taken again, the difference is divided by the connections held, and then one message is \
            echoed on every connection to prove each was alive.
            - **Broadcast**: N connections on `/broadcast`; one of them sends a 32-byte text message and the server sends it \
            to every connection with a plain loop over its sessions (socketlet: `WebSocket.send(PreparedMessage)`, encoded once, \
            and in alternate broadcasts `WebSocket.sendText` per connection; Jetty: \
            `Session.sendText(text, Callback.NOOP)`; Tomcat: `getAsyncRemote().sendText`). Time from the send to each \
            connection's verified copy, pooled over the measured broadcasts (after warm-up ones), one broadcast at a time. \
            The client reads all N sockets on one thread, so its own reading time is inside every figure, alike for all servers. \
            The cluster scenario uses the same client, with the connections spread over the nodes.
            - **RFC 8441**: Jetty's WebSocket client (HTTP/1.1 transport, then `HttpClientTransportOverHTTP2` over h2c) on `/echo`, \
            each echo checked; see its section above.
            - **Echo endpoints**: socketlet's `io.socketlet.demo.EchoServlet` (whole messages; `sendText`, and \
            `sendBinaryNoCopy` handing the received buffer back without a copy); Jetty: `Session.Listener.AutoDemanding`, text via `sendText(text, Callback.NOOP)`, binary handed back \
            with the received buffer and its callback (no copy); Tomcat: programmatic `Endpoint`, whole-message handlers, \
            `getBasicRemote().sendText/sendBinary` (blocking; an async send may not start before the previous one ended).
            """;
}
