package io.socketlet.bench;

import io.socketlet.bench.client.BroadcastLoad;
import io.socketlet.bench.client.EchoLoad;
import io.socketlet.bench.client.IdleLoad;
import io.socketlet.bench.client.JettyClientEchoLoad;
import io.socketlet.bench.client.MaskedTemplate;
import io.socketlet.bench.report.JfrSummary;
import io.socketlet.bench.report.JmhRunner;
import io.socketlet.bench.report.Report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The benchmark: socketlet on Jetty and on Tomcat against Jetty's and Tomcat's own WebSocket
 * servers and a plain TCP echo, all on 127.0.0.1, each server its own JVM with the same flags,
 * rounds interleaved (A B C ... A B C ...), medians of per-round ratios to Jetty native; then the
 * JMH micro-benchmarks; then docs/performance.md and docs/performance.png. Run it with
 * {@code bench/run.sh} (which builds first); {@code --help} lists the options.
 */
public final class BenchMain {

    static final List<String> SERVER_FLAGS = List.of("-Xmx1g", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");

    /** Options, with the defaults of a full run; {@code --quick} shrinks everything. */
    static final class Options {
        boolean quick;
        int rounds = 3;
        List<ServerKind> servers = List.of(ServerKind.values());
        Set<String> scenarios = new LinkedHashSet<>(List.of("small", "deflate", "large64k", "large1m", "h2", "idle", "broadcast", "broadcast-deflate", "cluster"));
        int idleConnections = 20_000;
        int broadcastConnections = 10_000;
        int clusterConnections = 5_000;
        int deflateBroadcastConnections = 1_000;
        int broadcastWarmups = 3;
        int broadcasts = 15;
        double smallWarmup = 1.5;
        double smallMeasure = 3;
        double largeWarmup = 1;
        double largeMeasure = 2.5;
        boolean jmh = true;
        boolean profile;
        boolean report = true;
        double maxMinutes = 14;
        Path buildDir = Path.of("target-bench");
        Path docs = Path.of("docs");
        Path results = Path.of("bench/results");
        String command = "bench/run.sh";
        List<String> extraFlags = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            List<String> list = Arrays.asList(args);
            if (list.contains("--quick")) {
                o.quick = true;
                o.rounds = 1;
                o.idleConnections = 2_000;
                o.broadcastConnections = 500;
                o.clusterConnections = 400;
                o.deflateBroadcastConnections = 200;
                o.broadcastWarmups = 2;
                o.broadcasts = 5;
                o.smallWarmup = 1;
                o.smallMeasure = 1.5;
                o.largeWarmup = 1;
                o.largeMeasure = 1.5;
                o.maxMinutes = 2.5;
            }
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> { }
                    case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
                    case "--servers" -> o.servers = Arrays.stream(args[++i].split(",")).map(ServerKind::of).toList();
                    case "--scenarios" -> o.scenarios = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
                    case "--idle" -> o.idleConnections = Integer.parseInt(args[++i]);
                    case "--broadcast" -> o.broadcastConnections = Integer.parseInt(args[++i]);
                    case "--cluster" -> o.clusterConnections = Integer.parseInt(args[++i]);
                    case "--broadcast-deflate" -> o.deflateBroadcastConnections = Integer.parseInt(args[++i]);
                    case "--seconds" -> {
                        double s = Double.parseDouble(args[++i]);
                        o.smallMeasure = s;
                        o.largeMeasure = s;
                    }
                    case "--warmup" -> {
                        double s = Double.parseDouble(args[++i]);
                        o.smallWarmup = s;
                        o.largeWarmup = s;
                    }
                    case "--no-jmh" -> o.jmh = false;
                    case "--only-jmh" -> {
                        o.scenarios = new LinkedHashSet<>();
                        o.jmh = true;
                    }
                    case "--profile" -> o.profile = true;
                    case "--jvm-flag" -> o.extraFlags.add(args[++i]);
                    case "--no-report" -> o.report = false;
                    case "--max-minutes" -> o.maxMinutes = Double.parseDouble(args[++i]);
                    case "--build-dir" -> o.buildDir = Path.of(args[++i]);
                    case "--docs" -> o.docs = Path.of(args[++i]);
                    case "--results" -> o.results = Path.of(args[++i]);
                    case "--command" -> o.command = args[++i];
                    case "--help", "-h" -> {
                        System.out.println(HELP);
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + HELP);
                }
            }
            if (!o.servers.contains(ServerKind.JETTY)) {
                throw new IllegalArgumentException("--servers must include jetty: every figure is a ratio to Jetty native");
            }
            return o;
        }
    }

    static final String HELP = """
            bench/run.sh [options]   (builds with -Pbench, then runs io.socketlet.bench.BenchMain)
              --quick               one short round, 2,000 idle, 500 broadcast, 200 deflate broadcast and 400 cluster
                                    connections (cluster: 2 nodes on Redis and 1 in memory only), short JMH (< 3 min)
              --rounds N            interleaved rounds (default 3)
              --servers a,b,...     socketlet-jetty,socketlet-tomcat,jetty,tomcat,tcp (jetty is required: the base)
              --scenarios a,b,...   small,deflate,large64k,large1m,h2,idle,broadcast,broadcast-deflate,cluster
                                    h2: 32 B echo through Jetty's WebSocket client over HTTP/1.1 and over HTTP/2
                                        (RFC 8441, h2c), socketlet on Jetty and Jetty native (Tomcat has no RFC 8441)
                                    broadcast: fan-out 1 -> N (socketlet: PreparedMessage, and sendText per
                                        connection interleaved; natives: their async send in a loop)
                                    broadcast-deflate: the same with permessage-deflate (socketlet: every message
                                        compressed, no context takeover; natives: their defaults)
                                    cluster: 1 -> N over socketlet rooms: 2 nodes on one Redis (redis-server started
                                        on a free port), 1 node on Redis, 1 node in memory; natives' loop on 1 node
              --idle N              idle connections (default 20000, capped by the open-files limit)
              --broadcast N         fan-out connections (default 10000, capped by the open-files limit)
              --broadcast-deflate N fan-out connections with permessage-deflate (default 1000: the client holds a
                                    compressor per connection)
              --cluster N           cluster scenario subscribers, over all nodes (default 5000)
              --seconds S           measured seconds per echo scenario
              --warmup S            warm-up seconds per echo scenario (on a busy machine the JIT needs longer)
              --no-jmh | --only-jmh skip or run only the JMH micro-benchmarks
              --profile             record JFR in every server (same flags for all) and summarize hot methods;
                                    with it, class histograms of what the idle connections added
              --jvm-flag F          one more JVM flag for every server (repeatable), e.g. for experiments:
                                    -Dbench.tomcat.socket.appWriteBufSize=65536 sets that Tomcat connector attribute
              --no-report           do not write docs/performance.md and .png (results still go to bench/results)
              --max-minutes M       start no new round after M minutes (default 14; quick 2.5)
            """;

    private final Options options;
    private final Results results = new Results();
    private final Map<Integer, MaskedTemplate> templates = new HashMap<>();
    private final PrintStream log;
    private final Path runDir;
    private final Path logDir;
    private final String serverClassPath;
    private final long started = System.nanoTime();
    private final List<Path> recordings = new ArrayList<>();
    private final List<String> profileFiles = new ArrayList<>();

    private BenchMain(Options options, Path runDir) throws IOException {
        this.options = options;
        this.runDir = runDir;
        this.logDir = options.buildDir.resolve("bench-logs").resolve(runDir.getFileName());
        Files.createDirectories(logDir);
        Files.createDirectories(runDir);
        this.log = new PrintStream(Files.newOutputStream(runDir.resolve("run.log")), true);
        // The servers get the class path minus what only the client, JMH and tests use.
        this.serverClassPath = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> !p.matches(".*(junit|mockito|byte-buddy|objenesis|opentest4j|apiguardian|jmh|jopt-simple|commons-math3).*"))
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path runDir = options.results.resolve(stamp + (options.quick ? "-quick" : ""));
        BenchMain bench = new BenchMain(options, runDir);
        int status = bench.run();
        System.exit(status);
    }

    private void say(String format, Object... args) {
        String line = String.format(Locale.ROOT, "[%6.1fs] ", (System.nanoTime() - started) / 1e9) + String.format(Locale.ROOT, format, args);
        System.out.println(line);
        log.println(line);
    }

    private int run() throws Exception {
        List<String> allFlags = new ArrayList<>(SERVER_FLAGS);
        allFlags.addAll(options.extraFlags);
        Report.Machine machine = Report.Machine.describe(options.quick, options.rounds, allFlags);
        say("socketlet benchmark%s: %d round(s), servers %s, scenarios %s; results in %s",
                options.quick ? " (quick)" : "", options.rounds,
                options.servers.stream().map(s -> s.id).collect(Collectors.joining(",")), options.scenarios, runDir);
        say("machine: %s", machine.summary());
        int fdLimit = machine.openFilesLimit();
        int idleCount = options.idleConnections;
        if (fdLimit > 0 && idleCount > fdLimit - 400) {
            idleCount = Math.max(100, fdLimit - 400);
            say("open-files limit %d: idle connections capped at %d (the server and the client each need one descriptor per connection)",
                    fdLimit, idleCount);
        }
        int broadcastCount = Math.min(options.broadcastConnections, Math.max(100, fdLimit - 400));
        int clusterCount = Math.min(options.clusterConnections, Math.max(100, fdLimit - 400));
        machine.idleTarget = idleCount;
        machine.idleCapped = idleCount < options.idleConnections;
        machine.broadcastTarget = broadcastCount;
        machine.clusterTarget = clusterCount;
        machine.deflateBroadcastTarget = options.deflateBroadcastConnections;

        boolean echo = options.scenarios.stream().anyMatch(s -> List.of("small", "deflate", "large64k", "large1m", "h2").contains(s));
        boolean conns = options.scenarios.contains("idle") || options.scenarios.contains("broadcast")
                || options.scenarios.contains("broadcast-deflate");
        boolean cluster = options.scenarios.contains("cluster");
        RedisProcess redis = null;
        if (cluster && options.servers.contains(ServerKind.SOCKETLET_JETTY)) {
            if (!RedisProcess.available()) {
                say("cluster: %s is not installed (Debian's redis-server): the Redis configurations are skipped", RedisProcess.BINARY);
                results.error(0, "cluster", ServerKind.SOCKETLET_JETTY, RedisProcess.BINARY + " not installed");
            } else {
                redis = RedisProcess.start(logDir.resolve("redis.log"));
                say("cluster: redis-server at %s (pid %d)", redis.uri(), redis.pid());
            }
        }
        int roundsDone = 0;
        try {
        for (int round = 1; round <= options.rounds && (echo || conns || cluster); round++) {
            double minutes = (System.nanoTime() - started) / 60e9;
            if (round > 1 && minutes > options.maxMinutes) {
                say("%.1f minutes passed: no more rounds (limit %.1f)", minutes, options.maxMinutes);
                break;
            }
            if (echo) {
                for (ServerKind kind : options.servers) {
                    echoPhase(round, kind);
                }
            }
            if (conns) {
                for (ServerKind kind : options.servers) {
                    connectionPhase(round, kind, idleCount, broadcastCount);
                }
            }
            if (cluster) {
                clusterPhase(round, redis, clusterCount);
            }
            roundsDone = round;
        }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
        machine.roundsDone = roundsDone;
        machine.finish();
        Files.writeString(runDir.resolve("rounds.csv"), results.csv());

        List<JmhRunner.Result> jmh = List.of();
        if (options.jmh) {
            say("JMH micro-benchmarks (%s)", options.quick ? "quick settings" : "1 fork, 3 x 1 s warm-up, 5 x 1 s measured");
            Path json = runDir.resolve("jmh.json");
            try {
                jmh = JmhRunner.run(System.getProperty("java.class.path"), options.quick, json, runDir.resolve("jmh.log"));
                for (JmhRunner.Result r : jmh) {
                    say("  %-40s %12.0f ops/s  %8.2f GB/s", r.name(), r.opsPerSecond(), r.gigabytesPerSecond());
                }
            } catch (Exception e) {
                say("JMH failed: %s (see %s)", e, runDir.resolve("jmh.log"));
                results.error(0, "jmh", ServerKind.JETTY, e.toString());
            }
        }

        List<String> profiles = new ArrayList<>(profileFiles);
        for (Path jfr : recordings) {
            if (Files.exists(jfr)) {
                String summary = JfrSummary.summarize(jfr, 25);
                Path out = runDir.resolve(jfr.getFileName().toString().replace(".jfr", ".profile.txt"));
                Files.writeString(out, summary);
                profiles.add(out.toString());
                say("profile: %s", out);
            }
        }

        String markdown = Report.markdown(results, jmh, machine, options.servers, options.command, runDir, profiles);
        Files.writeString(runDir.resolve("performance.md"), markdown);
        io.socketlet.bench.report.RatioPlot.write(results, options.servers, runDir.resolve("performance.png"),
                machine.title());
        if (options.report) {
            Files.createDirectories(options.docs);
            Files.writeString(options.docs.resolve("performance.md"), markdown);
            Files.copy(runDir.resolve("performance.png"), options.docs.resolve("performance.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            say("wrote %s and %s", options.docs.resolve("performance.md"), options.docs.resolve("performance.png"));
        }
        System.out.println();
        System.out.println(Report.table(results, options.servers));
        System.out.println(Report.floorTable(results));
        Map<String, String> errors = results.errors();
        errors.forEach((k, v) -> say("ERROR %s: %s", k, v));
        say("done in %.1f minutes", (System.nanoTime() - started) / 60e9);
        // A native server failing (Tomcat out of heap with 20,000 connections) is a finding; the
        // exit status reports only failures of socketlet or of the harness.
        boolean failed = errors.keySet().stream().anyMatch(k -> k.contains("socketlet") || k.contains("jmh"));
        return failed ? 1 : 0;
    }

    private List<String> flags(ServerKind kind, int round, String phase) {
        List<String> flags = new ArrayList<>(SERVER_FLAGS);
        flags.addAll(options.extraFlags);
        if (options.profile) {
            Path jfr = logDir.resolve(kind.id + "-r" + round + "-" + phase + ".jfr").toAbsolutePath();
            recordings.add(jfr);
            flags.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,method-profiling=max,dumponexit=true");
        }
        return flags;
    }

    private ServerProcess startServer(ServerKind kind, int round, String phase) throws IOException {
        return startServer(kind, round, phase, List.of());
    }

    /** A server with more JVM flags than the others (system properties of the cluster scenario). */
    private ServerProcess startServer(ServerKind kind, int round, String phase, List<String> more) throws IOException {
        Path serverLog = logDir.resolve(kind.id + "-r" + round + "-" + phase + ".log");
        List<String> flags = flags(kind, round, phase);
        flags.addAll(more);
        return ServerProcess.start(kind, flags, serverClassPath, serverLog, 600);
    }

    private void echoPhase(int round, ServerKind kind) {
        List<EchoLoad.Spec> specs = new ArrayList<>();
        if (options.scenarios.contains("small")) {
            specs.add(new EchoLoad.Spec("small", "/echo", true, 32, 64, 8, false));
        }
        if (options.scenarios.contains("deflate") && kind.webSocket()) {
            specs.add(new EchoLoad.Spec("deflate", "/echo-deflate", true, 32, 64, 8, true));
        }
        if (options.scenarios.contains("large64k")) {
            specs.add(new EchoLoad.Spec("large64k", "/echo-large", false, 64 * 1024, 16, 4, false));
        }
        if (options.scenarios.contains("large1m")) {
            specs.add(new EchoLoad.Spec("large1m", "/echo-large", false, 1024 * 1024, 4, 2, false));
        }
        boolean h2 = options.scenarios.contains("h2") && (kind == ServerKind.JETTY || kind == ServerKind.SOCKETLET_JETTY);
        if (specs.isEmpty() && !h2) {
            return;
        }
        try (ServerProcess server = startServer(kind, round, "echo")) {
            for (EchoLoad.Spec spec : specs) {
                boolean large = !spec.text();
                double warmup = large ? options.largeWarmup : options.smallWarmup;
                double measure = large ? options.largeMeasure : options.smallMeasure;
                try {
                    EchoLoad.Result r = EchoLoad.run(server.address(), !kind.webSocket(), spec, server.pid(), warmup, measure, templates);
                    double rate = r.messagesPerSecond();
                    double cpuPerMessage = r.messages() > 0 ? r.cpu().serverSeconds() / r.messages() * 1e6 : Double.NaN;
                    Results.Metric rateMetric = metric(spec.name(), false);
                    double value = large ? rate * spec.size() / (1024.0 * 1024.0) : rate;
                    results.add(round, rateMetric, kind, value);
                    results.add(round, metric(spec.name(), true), kind, cpuPerMessage);
                    double reads = r.messages() > 0 ? r.cpu().serverReads() / (double) r.messages() : Double.NaN;
                    double writes = r.messages() > 0 ? r.cpu().serverWrites() / (double) r.messages() : Double.NaN;
                    if (spec.name().equals("small")) {
                        results.add(round, Results.SMALL_SYSCALLS, kind, reads + writes);
                    }
                    results.add(round, Results.FOREIGN, kind, r.cpu().foreignCores());
                    results.add(round, Results.CLIENT_CORES, kind, r.cpu().clientCores());
                    double system = r.cpu().serverSeconds() > 0 ? 100 * r.cpu().serverSystemSeconds() / r.cpu().serverSeconds() : Double.NaN;
                    results.add(round, metric(spec.name(), true) == Results.SMALL_CPU ? Results.SMALL_SYSTEM : Results.OTHER_SYSTEM, kind, system);
                    say("round %d %-16s %-9s %10.0f %-5s server %.2f cores (%.1f us/msg, %.0f%% in the kernel, %.2f reads + %.2f writes/msg), client %.2f, others %.2f",
                            round, kind.id, spec.name(), value, rateMetric.unit(), r.cpu().serverCores(), cpuPerMessage, system,
                            reads, writes, r.cpu().clientCores(), r.cpu().foreignCores());
                } catch (RuntimeException e) {
                    say("round %d %-16s %-9s FAILED: %s", round, kind.id, spec.name(), e.getMessage());
                    results.error(round, spec.name(), kind, String.valueOf(e.getMessage()));
                    if (!server.isAlive()) {
                        break;
                    }
                }
            }
            if (h2 && server.isAlive()) {
                h2Echo(round, kind, server);
            }
        } catch (IOException e) {
            say("round %d %-16s echo server failed: %s", round, kind.id, e.getMessage());
            results.error(round, "echo", kind, e.getMessage());
        }
    }

    /**
     * RFC 8441: the small echo through Jetty's WebSocket client, over HTTP/1.1 and then over
     * HTTP/2 (h2c, extended CONNECT), 16 WebSockets x 8 messages in flight.
     */
    private void h2Echo(int round, ServerKind kind, ServerProcess server) {
        for (boolean http2 : new boolean[] {false, true}) {
            String name = http2 ? "h2echo-h2" : "h2echo-h1";
            try {
                JettyClientEchoLoad.Result r = JettyClientEchoLoad.run(server.address(), "/echo", http2, 16, 8, 32, server.pid(),
                        options.quick ? 0.5 : options.smallWarmup, options.quick ? 1 : options.smallMeasure);
                double cpuPerMessage = r.messages() > 0 ? r.cpu().serverSeconds() / r.messages() * 1e6 : Double.NaN;
                results.add(round, http2 ? Results.H2_RATE : Results.H1_RATE, kind, r.messagesPerSecond());
                results.add(round, http2 ? Results.H2_CPU : Results.H1_CPU, kind, cpuPerMessage);
                double calls = r.messages() > 0 ? (r.cpu().serverReads() + r.cpu().serverWrites()) / (double) r.messages() : Double.NaN;
                say("round %d %-16s %-9s %10.0f msg/s server %.2f cores (%.1f us/msg, %.2f reads + writes/msg), client %.2f, others %.2f",
                        round, kind.id, name, r.messagesPerSecond(), r.cpu().serverCores(), cpuPerMessage, calls,
                        r.cpu().clientCores(), r.cpu().foreignCores());
            } catch (Exception e) {
                say("round %d %-16s %-9s FAILED: %s", round, kind.id, name, e);
                results.error(round, name, kind, String.valueOf(e));
            }
        }
    }

    private static Results.Metric metric(String scenario, boolean cpu) {
        return switch (scenario) {
            case "small" -> cpu ? Results.SMALL_CPU : Results.SMALL;
            case "deflate" -> cpu ? Results.DEFLATE_CPU : Results.DEFLATE;
            case "large64k" -> cpu ? Results.LARGE64K_CPU : Results.LARGE64K;
            case "large1m" -> cpu ? Results.LARGE1M_CPU : Results.LARGE1M;
            default -> throw new IllegalArgumentException(scenario);
        };
    }

    private void connectionPhase(int round, ServerKind kind, int idleCount, int broadcastCount) {
        boolean idle = options.scenarios.contains("idle");
        boolean broadcast = options.scenarios.contains("broadcast") && kind.webSocket();
        boolean deflateBroadcast = options.scenarios.contains("broadcast-deflate") && kind.webSocket();
        if (!idle && !broadcast && !deflateBroadcast) {
            return;
        }
        ServerProcess server = null;
        try {
            server = startServer(kind, round, "conns");
            if (idle) {
                idlePhase(round, kind, server, idleCount);
            }
            if (broadcast || deflateBroadcast) {
                if (!server.isAlive()) {
                    // It failed holding the idle connections: broadcast gets a fresh one.
                    server.close();
                    server = startServer(kind, round, "broadcast");
                }
                try {
                    Thread.sleep(500);
                    long deadline = System.nanoTime() + 240_000_000_000L;
                    // socketlet: PreparedMessage (b) and sendText per connection (e), interleaved on the same connections.
                    boolean socketlet = kind == ServerKind.SOCKETLET_JETTY || kind == ServerKind.SOCKETLET_TOMCAT;
                    if (broadcast) {
                        List<BroadcastLoad.Result> rs = BroadcastLoad.run(List.of(server.address()), "/broadcast", broadcastCount,
                                socketlet ? "be" : "b", options.broadcastWarmups, options.broadcasts, deadline, List.of(server.pid()), 500);
                        record(round, kind, rs.get(0), Results.FANOUT, socketlet ? "broadcast (PreparedMessage)" : "broadcast");
                        if (socketlet) {
                            record(round, kind, rs.get(1), Results.FANOUT_EACH, "broadcast (sendText each)");
                        }
                    }
                    if (deflateBroadcast) {
                        Thread.sleep(500);
                        List<BroadcastLoad.Result> rs = BroadcastLoad.run(List.of(server.address()), "/broadcast-deflate", true,
                                options.deflateBroadcastConnections, socketlet ? "be" : "b", options.broadcastWarmups, options.broadcasts,
                                System.nanoTime() + 240_000_000_000L, List.of(server.pid()), 500);
                        record(round, kind, rs.get(0), Results.FANOUT_DEFLATE,
                                socketlet ? "deflate broadcast (PreparedMessage)" : "deflate broadcast");
                        if (socketlet) {
                            record(round, kind, rs.get(1), Results.FANOUT_DEFLATE_EACH, "deflate broadcast (sendText each)");
                        }
                    }
                } catch (RuntimeException e) {
                    say("round %d %-16s broadcast FAILED: %s", round, kind.id, e.getMessage());
                    results.error(round, "broadcast", kind, String.valueOf(e.getMessage()));
                }
            }
        } catch (IOException | InterruptedException e) {
            say("round %d %-16s connection server failed: %s", round, kind.id, e.getMessage());
            results.error(round, "idle/broadcast", kind, String.valueOf(e.getMessage()));
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private void record(int round, ServerKind kind, BroadcastLoad.Result r, Results.BroadcastMetrics m, String what) {
        results.add(round, m.p50(), kind, r.p50Millis());
        results.add(round, m.p99(), kind, r.p99Millis());
        results.add(round, m.rate(), kind, r.deliveriesPerSecond());
        results.add(round, m.cpu(), kind, r.cpuMicrosPerDelivery());
        say("round %d %-16s %s to %d: p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f deliveries/s, %.2f us CPU/delivery (%d deliveries)",
                round, kind.id, what, r.connections(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.deliveriesPerSecond(),
                r.cpuMicrosPerDelivery(), r.deliveries());
    }

    /**
     * Issue 13: one sender, N subscribers, through socketlet's rooms on two nodes sharing one Redis,
     * on one node over Redis, on one node in memory; and the native servers' loop on one node.
     */
    private void clusterPhase(int round, RedisProcess redis, int count) {
        // --quick: the two nodes and the one node in memory only.
        for (ServerKind kind : options.quick ? List.<ServerKind>of() : List.of(ServerKind.JETTY, ServerKind.TOMCAT)) {
            if (options.servers.contains(kind)) {
                clusterRun(round, Results.CLUSTER_LOOP, kind, 1, "/broadcast", null, count);
            }
        }
        if (options.servers.contains(ServerKind.SOCKETLET_JETTY)) {
            clusterRun(round, Results.CLUSTER_LOCAL, ServerKind.SOCKETLET_JETTY, 1, "/room", null, count);
            if (redis != null && !options.quick) {
                clusterRun(round, Results.CLUSTER_REDIS1, ServerKind.SOCKETLET_JETTY, 1, "/room", redis, count);
            }
            if (redis != null) {
                clusterRun(round, Results.CLUSTER_REDIS2, ServerKind.SOCKETLET_JETTY, 2, "/room", redis, count);
            }
        }
    }

    private void clusterRun(int round, Results.BroadcastMetrics m, ServerKind kind, int nodes, String path, RedisProcess redis,
                            int count) {
        List<ServerProcess> servers = new ArrayList<>();
        try {
            List<String> props = redis == null ? List.of()
                    : List.of("-Dbench.redis=" + redis.uri(), "-Dbench.room=r" + round + "-" + m.id());
            for (int n = 1; n <= nodes; n++) {
                servers.add(startServer(kind, round, m.id() + "-node" + n, props));
            }
            Thread.sleep(500);
            List<Long> pids = new ArrayList<>();
            servers.forEach(p -> pids.add(p.pid()));
            if (redis != null) {
                pids.add(redis.pid());
            }
            // Rooms: every join is a presence entry of the room's log, read back by every node: let them settle.
            long settle = path.equals("/room") ? (options.quick ? 500 : 2000) : 500;
            BroadcastLoad.Result r = BroadcastLoad.run(servers.stream().map(ServerProcess::address).toList(), path, count, "b",
                    options.broadcastWarmups, options.broadcasts, System.nanoTime() + 240_000_000_000L, pids, settle).get(0);
            record(round, kind, r, m, "cluster " + m.label());
        } catch (IOException | InterruptedException | RuntimeException e) {
            say("round %d %-16s cluster %s FAILED: %s", round, kind.id, m.label(), e.getMessage());
            results.error(round, "cluster " + m.label(), kind, String.valueOf(e.getMessage()));
        } finally {
            servers.forEach(ServerProcess::close);
        }
    }

    private void idlePhase(int round, ServerKind kind, ServerProcess server, int count) throws IOException, InterruptedException {
        String path = "/echo";
        boolean raw = !kind.webSocket();
        try {
            // Warm the handshake and echo path, so classes and caches are in the baseline.
            try (IdleLoad warm = IdleLoad.open(server.address(), raw, path, 200, System.nanoTime() + 30_000_000_000L)) {
                if (warm.error() != null) {
                    throw new IllegalStateException(warm.error());
                }
                warm.verifyAll(System.nanoTime() + 30_000_000_000L);
            }
            Thread.sleep(1000);
            ServerProcess.Stats before = server.stats();
            Map<String, long[]> histoBefore = options.profile ? histogram(server.pid()) : null;
            // First a step of 2,000, measured too: if the server cannot hold them all (a heap too
            // small), its cost per connection is still known from this step.
            int first = Math.min(2_000, count);
            long deadline = System.nanoTime() + 240_000_000_000L;
            long t0 = System.nanoTime();
            try (IdleLoad load = IdleLoad.open(server.address(), raw, path, first, deadline)) {
                double connectSeconds = (System.nanoTime() - t0) / 1e9;
                ServerProcess.Stats step = null;
                boolean ok = load.error() == null;
                if (ok && count > first) {
                    Thread.sleep(500);
                    step = server.stats();
                    long t1 = System.nanoTime();
                    ok = load.add(count - first, deadline);
                    connectSeconds += (System.nanoTime() - t1) / 1e9;
                }
                int n = load.count();
                ServerProcess.Stats after = null;
                int measuredOn = n;
                if (ok) {
                    Thread.sleep(1000);
                    after = server.stats();
                } else {
                    Thread.sleep(3000); // a JVM out of heap takes a moment to exit
                    String why = server.isAlive() ? load.error()
                            : "the server died at about " + n + " connections: " + server.death();
                    say("round %d %-16s idle: %s", round, kind.id, why);
                    results.error(round, "idle", kind, why + (step != null ? " (per-connection figures from the first " + first + ")" : ""));
                    if (step == null) {
                        return;
                    }
                    after = step;
                    measuredOn = first;
                }
                if (histoBefore != null && server.isAlive()) {
                    Path out = runDir.resolve(kind.id + "-r" + round + "-idle-histogram.txt");
                    Files.writeString(out, histogramDiff(histoBefore, histogram(server.pid()), n, kind));
                    profileFiles.add(out.toString());
                }
                if (ok) {
                    load.verifyAll(System.nanoTime() + 60_000_000_000L);
                }
                double heap = (after.heapBytes() - before.heapBytes()) / (double) measuredOn / 1024;
                double rss = (after.rssBytes() - before.rssBytes()) / (double) measuredOn / 1024;
                long threads = after.osThreads() - before.osThreads();
                results.add(round, Results.IDLE_COUNT, kind, n);
                results.add(round, Results.IDLE_HEAP, kind, heap);
                results.add(round, Results.IDLE_RSS, kind, rss);
                results.add(round, Results.IDLE_THREADS, kind, threads);
                results.add(round, Results.IDLE_THREADS_TOTAL, kind, after.osThreads());
                results.add(round, Results.CONNECT_RATE, kind, n / connectSeconds);
                say("round %d %-16s idle %d conns (opened in %.1f s)%s: heap %.2f KiB/conn, RSS %.2f KiB/conn, threads %d -> %d (JVM %d -> %d), direct %d -> %d KiB",
                        round, kind.id, n, connectSeconds, measuredOn != n ? ", figures from the first " + measuredOn : "",
                        heap, rss, before.osThreads(), after.osThreads(),
                        before.jvmThreads(), after.jvmThreads(), before.directBytes() / 1024, after.directBytes() / 1024);
            }
        } catch (RuntimeException e) {
            say("round %d %-16s idle FAILED: %s", round, kind.id, e.getMessage());
            results.error(round, "idle", kind, String.valueOf(e.getMessage()));
        }
    }

    /** {class: {instances, bytes}} from {@code jcmd PID GC.class_histogram} (which collects first). */
    private static Map<String, long[]> histogram(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        Map<String, long[]> m = new HashMap<>();
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)").matcher(text);
        while (x.find()) {
            m.put(x.group(3), new long[] {Long.parseLong(x.group(1)), Long.parseLong(x.group(2))});
        }
        return m;
    }

    /** What the idle connections added to the heap, by class, per connection. */
    private static String histogramDiff(Map<String, long[]> before, Map<String, long[]> after, int connections, ServerKind kind) {
        record Row(String cls, double instances, double bytes) {
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            rows.add(new Row(e.getKey(), (e.getValue()[0] - b[0]) / (double) connections, (e.getValue()[1] - b[1]) / (double) connections));
        }
        rows.sort((a, b) -> Double.compare(b.bytes, a.bytes));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "Heap added by %d idle connections on %s, per connection (jcmd GC.class_histogram after - before)%n%n%12s %12s  %s%n",
                connections, kind.label, "bytes/conn", "objs/conn", "class"));
        double total = 0;
        for (Row r : rows) {
            total += r.bytes;
        }
        for (Row r : rows.subList(0, Math.min(30, rows.size()))) {
            sb.append(String.format(Locale.ROOT, "%12.1f %12.2f  %s%n", r.bytes, r.instances, r.cls));
        }
        sb.append(String.format(Locale.ROOT, "%12.1f %12s  (all classes)%n", total, ""));
        return sb.toString();
    }

    /** For the report: elapsed minutes so far. */
    double elapsedMinutes() {
        return (System.nanoTime() - started) / 60e9;
    }
}
