package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.server.WebSocketServlet;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;

/**
 * Connection churn with permessage-deflate and context takeover: every connection negotiates
 * the extension, sends a compressed message and reads the compressed echo (so the server holds
 * a live Deflater and Inflater, native memory outside the heap), then leaves in one of several
 * ways, cleanly or not. The server runs in this JVM, so its native memory is this process's:
 * {@code VmRSS} from /proc/self/status must stay flat across {@link #CONNECTIONS} connections,
 * where one zlib state not released per connection (about 100 KiB resident each, measured by
 * {@link #residentCostOfOneZlibPair}) would add hundreds of MiB; and the application must hear
 * onClose exactly once for every onOpen.
 *
 * <p>{@link #measureMemoryPerOpenConnection} is the by-hand harness behind docs/compression.md:
 * tagged {@code by-hand} (left out of the build unless {@code -Dsocketlet.it.excludedGroups=none})
 * and skipped unless {@code -Dsocketlet.deflate.measure=takeover|no-takeover|off} names the
 * endpoint, run in a JVM of its own per setting (freed zlib memory stays in the C heap and would
 * be reused by the next setting measured in the same process).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DeflateChurnIT {

    /** Connections per container: about 4 s each on a two-core machine. */
    static final int CONNECTIONS = Integer.getInteger("socketlet.deflate.churn", 6000);
    static final int WARM_UP = Integer.getInteger("socketlet.deflate.churn.warmup", 1000);
    static final int PARALLEL = 4;
    /** The churn's allowed growth outside the heap; 6,000 leaked zlib pairs would be about 600 MiB. */
    static final long MAX_GROWTH_BYTES = 100L << 20;

    private static final String OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";
    /** What each client sends: 1 KiB of compressible text, over the 256-byte threshold so the echo is compressed too. */
    private static final byte[] MESSAGE = ("socketlet churn " + "compressible chat line; ".repeat(60)).substring(0, 1024)
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMPRESSED = compress(MESSAGE);

    /** Ways a client leaves. */
    enum Exit {
        /** Close handshake, the client first. */
        CLEAN,
        /** TCP FIN with no close frame. */
        FIN,
        /** TCP RST (SO_LINGER 0). */
        RST,
        /** Half of a second compressed message, then FIN: the server's Inflater is mid-message. */
        FIN_MID_MESSAGE,
        /** Half of a second compressed message, then RST. */
        RST_MID_MESSAGE,
        /** A deflate bomb: the server fails the connection with 1009 and the client goes. */
        BOMB
    }

    /** One counting endpoint per container start: onOpen and onClose, and how many opened with permessage-deflate. */
    static final class Counts {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger compressed = new AtomicInteger();
        final Map<Integer, AtomicInteger> closeCodes = new ConcurrentHashMap<>();

        String describe() {
            return "opened " + opened + " (permessage-deflate " + compressed + "), closed " + closed + " by code " + closeCodes;
        }
    }

    /** Echoes, counting; written against the public API only. */
    static final class CountingEcho extends WebSocketServlet {
        private static final long serialVersionUID = 1L;
        private final transient Counts counts;

        CountingEcho(Counts counts) {
            this.counts = counts;
        }

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return new WebSocketHandler() {
                @Override
                public void onOpen(WebSocket socket) {
                    counts.opened.incrementAndGet();
                    if (socket.extensions().stream().anyMatch(e -> e.startsWith("permessage-deflate"))) {
                        counts.compressed.incrementAndGet();
                    }
                }

                @Override
                public void onText(WebSocket socket, String text) {
                    socket.sendText(text);
                }

                @Override
                public void onBinary(WebSocket socket, ByteBuffer data) {
                    socket.sendBinary(data);
                }

                @Override
                public void onClose(WebSocket socket, int code, String reason) {
                    counts.closed.incrementAndGet();
                    counts.closeCodes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                }
            };
        }
    }

    private static Containers.Deployment deployment(ContainerKind kind, Counts counts) {
        Map<String, String> quick = Map.of("pingInterval", "0", "closeTimeout", "1s");
        Map<String, String> noTakeover = new java.util.HashMap<>(quick);
        noTakeover.put("compressionContextTakeover", "false");
        Map<String, String> off = new java.util.HashMap<>(quick);
        off.put("compression", "false");
        // A context path per kind: the endpoint MBean is named by context and servlet.
        return Containers.deployment("/deflate-churn-" + kind.name().toLowerCase(Locale.ROOT))
                .servlet("takeover", () -> new CountingEcho(counts), "/takeover", quick)
                .servlet("no-takeover", () -> new CountingEcho(counts), "/no-takeover", noTakeover)
                .servlet("off", () -> new CountingEcho(counts), "/off", off);
    }

    // ------------------------------------------------------------------ the churn

    @BothContainers
    void churnKeepsNativeMemoryFlat(ContainerKind kind) throws Exception {
        Counts counts = new Counts();
        try (Containers.Running server = Containers.start(kind, deployment(kind, counts))) {
            URI uri = server.ws("/" + System.getProperty("socketlet.deflate.churn.endpoint", "takeover"));
            // Warm up: pools, buffers, JIT and the C heap's arenas grow to their working size.
            runChurn(uri, WARM_UP);
            awaitAllClosed(counts, WARM_UP);
            Memory before = Memory.sample(true);
            long gcsBefore = gcCount();

            long start = System.nanoTime();
            Map<Exit, Integer> exits = runChurn(uri, CONNECTIONS);
            long churnMs = (System.nanoTime() - start) / 1_000_000;
            awaitAllClosed(counts, WARM_UP + CONNECTIONS);
            // Without a GC first: a Deflater or Inflater never end()ed is only freed by its Cleaner after a GC, so
            // its native memory shows here unless a GC happened to run during the churn (counted below).
            Memory afterNoGc = Memory.sample(false);
            long gcsDuring = gcCount() - gcsBefore;
            Memory afterGc = Memory.sample(true);

            long growthNoGc = afterNoGc.outsideHeap - before.outsideHeap;
            long growthGc = afterGc.outsideHeap - before.outsideHeap;
            String report = "[deflate churn] " + kind + " " + uri.getPath() + ": " + CONNECTIONS + " connections in " + churnMs
                    + " ms, exits " + exits + "; " + counts.describe() + "; GCs during churn " + gcsDuring
                    + "\n  before          " + before
                    + "\n  after (no GC)   " + afterNoGc + "; outside the heap " + signedMib(growthNoGc)
                    + "\n  after (GC)      " + afterGc + "; outside the heap " + signedMib(growthGc);
            System.out.println(report);

            assertEquals(WARM_UP + CONNECTIONS, counts.opened.get(), report);
            if (!uri.getPath().endsWith("/off")) {
                assertEquals(counts.opened.get(), counts.compressed.get(), "every connection negotiated permessage-deflate\n" + report);
            }
            assertEquals(counts.opened.get(), counts.closed.get(), "onClose once for every onOpen\n" + report);
            assertTrue(growthNoGc < MAX_GROWTH_BYTES, "memory outside the heap grew by " + mib(growthNoGc) + " over "
                    + CONNECTIONS + " connections (measured before any GC could run the zlib Cleaners)\n" + report);
            assertTrue(growthGc < MAX_GROWTH_BYTES, "memory outside the heap grew by " + mib(growthGc) + " over "
                    + CONNECTIONS + " connections\n" + report);
        }
    }

    /**
     * The yardstick for the bound above: what one Deflater and one Inflater that each handled one
     * such 1 KiB message keep resident when they are never ended, measured in this JVM. Asserts
     * that {@link #CONNECTIONS} of them would pass {@link #MAX_GROWTH_BYTES}, so the churn's bound
     * is one a per-connection leak cannot stay under.
     */
    @org.junit.jupiter.api.Test
    void residentCostOfOneZlibPair() throws Exception {
        int pairs = 500;
        List<Object> live = new ArrayList<>();
        Memory before = Memory.sample(true);
        byte[] out = new byte[4096];
        try {
            for (int i = 0; i < pairs; i++) {
                Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
                deflater.setInput(MESSAGE);
                int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
                Inflater inflater = new Inflater(true);
                inflater.setInput(out, 0, n);
                inflater.inflate(new byte[2048]);
                live.add(deflater);
                live.add(inflater);
            }
            Memory after = Memory.sample(false);
            long perPair = (after.outsideHeap - before.outsideHeap) / pairs;
            System.out.println("[deflate churn] one Deflater + Inflater after one 1 KiB message: " + perPair / 1024
                    + " KiB resident (" + pairs + " measured); " + CONNECTIONS + " leaked would be " + mib(perPair * CONNECTIONS));
            assertTrue(perPair * CONNECTIONS > MAX_GROWTH_BYTES, "a leak of one pair per connection would stay under the bound: "
                    + perPair + " bytes each");
        } finally {
            for (Object o : live) {
                if (o instanceof Deflater d) {
                    d.end();
                } else {
                    ((Inflater) o).end();
                }
            }
        }
    }

    private static Map<Exit, Integer> runChurn(URI uri, int connections) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        Map<Exit, AtomicInteger> exits = new EnumMap<>(Exit.class);
        for (Exit e : Exit.values()) {
            exits.put(e, new AtomicInteger());
        }
        AtomicInteger next = new AtomicInteger();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < PARALLEL; w++) {
                workers.add(pool.submit(() -> {
                    Inflater inflater = new Inflater(true);
                    try {
                        int i;
                        while ((i = next.getAndIncrement()) < connections) {
                            Exit exit = Exit.values()[i % Exit.values().length];
                            cycle(uri, exit, inflater);
                            exits.get(exit).incrementAndGet();
                        }
                    } finally {
                        inflater.end();
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get(150, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<Exit, Integer> counted = new EnumMap<>(Exit.class);
        exits.forEach((e, n) -> counted.put(e, n.get()));
        return counted;
    }

    /**
     * One connection: handshake with the offer, a compressed message each way, then the exit. On
     * the {@code /off} endpoint (the control run) the same, uncompressed.
     */
    private static void cycle(URI uri, Exit exit, Inflater inflater) throws Exception {
        boolean deflate = !uri.getPath().endsWith("/off");
        try (Peer peer = Peer.connect(uri, OFFER)) {
            byte[] message = Peer.frame(0x1, deflate, deflate ? COMPRESSED : MESSAGE);
            peer.send(message);
            if (deflate) {
                peer.expectExtension("permessage-deflate");
                peer.expectCompressedEcho(MESSAGE, inflater);
            } else {
                peer.expectPlainEcho(MESSAGE);
            }
            switch (exit) {
                case CLEAN -> {
                    peer.send(Peer.frame(0x8, false, new byte[] {0x03, (byte) 0xe8}));
                    peer.expectClose(1000);
                    peer.expectEof();
                }
                case FIN -> peer.close();
                case RST -> peer.reset();
                case FIN_MID_MESSAGE, RST_MID_MESSAGE -> {
                    peer.sendRaw(Arrays.copyOf(message, message.length / 2));
                    if (exit == Exit.FIN_MID_MESSAGE) {
                        peer.close();
                    } else {
                        peer.reset();
                    }
                }
                case BOMB -> {
                    // Uncompressed, the nearest thing is a message over the limit, refused from its header.
                    peer.send(deflate ? Peer.frame(0x2, true, BOMB) : Arrays.copyOf(Peer.frame(0x2, false, new byte[2 << 20]), 64));
                    peer.expectClose(1009);
                    peer.close();
                }
            }
        }
    }

    /** 8 MiB of zeros compressed: about 8 KiB that inflate 8 times past the default 1 MiB message limit. */
    private static final byte[] BOMB = compress(new byte[8 << 20]);

    private static void awaitAllClosed(Counts counts, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (counts.opened.get() == expected && counts.closed.get() == expected) {
                return;
            }
            Thread.sleep(20);
        }
        fail("connections did not all close within 15 s: expected " + expected + ", " + counts.describe());
    }

    // ------------------------------------------------------------------ the by-hand harness

    /**
     * Opens {@code socketlet.deflate.measure.connections} (default 1,000) connections to one
     * endpoint, each of which exchanged one message of {@code socketlet.deflate.measure.size}
     * bytes (compressed both ways where negotiated), holds them open, and prints this JVM's
     * growth per connection outside the heap (zlib) and on it. Run once per endpoint and
     * container, each in a JVM of its own: {@code mvn verify -Dit.test='DeflateChurnIT#measureMemoryPerOpenConnection'
     * -Dsocketlet.it.excludedGroups=none -Dsocketlet.it.containers=jetty -Dsocketlet.deflate.measure=takeover}
     * (then {@code no-takeover}, then {@code off}). Tagged {@code by-hand}: the build leaves it out
     * otherwise (it measures, it asserts nothing).
     */
    @org.junit.jupiter.api.Tag("by-hand")
    @BothContainers
    void measureMemoryPerOpenConnection(ContainerKind kind) throws Exception {
        String endpoint = System.getProperty("socketlet.deflate.measure", "");
        Assumptions.assumeTrue(List.of("takeover", "no-takeover", "off").contains(endpoint),
                "by-hand harness: -Dsocketlet.deflate.measure=takeover|no-takeover|off");
        Counts counts = new Counts();
        try (Containers.Running server = Containers.start(kind, deployment(kind, counts))) {
            holdOpen(server, endpoint, Integer.getInteger("socketlet.deflate.measure.connections", 1000),
                    Integer.getInteger("socketlet.deflate.measure.size", 1024));
        }
    }

    /**
     * compressionContextTakeover=false promises "no compressor outlives a message" (WebSocketSettings;
     * the README: "keeps no compressor between messages (less memory)"). Then an idle connection
     * that exchanged a 32 KiB message holds no zlib state: its cost outside the heap is that of an
     * uncompressed connection (6-13 KiB measured), not a Deflater's (about 180 KiB resident after
     * such a message, 268 KiB reserved).
     */
    @BothContainers
    void noContextTakeoverHoldsNoCompressorBetweenMessages(ContainerKind kind) throws Exception {
        Counts counts = new Counts();
        try (Containers.Running server = Containers.start(kind, deployment(kind, counts))) {
            long perConnection = holdOpen(server, "no-takeover", 500, 32 << 10);
            assertTrue(perConnection < 64 << 10, "an idle connection with compressionContextTakeover=false holds "
                    + perConnection / 1024 + " KiB outside the heap: the Deflater is reset, not ended, after each message");
        }
    }

    /**
     * Opens the connections, one message each, holds them, and returns the growth outside the
     * heap per connection (printing the whole measurement).
     */
    private static long holdOpen(Containers.Running server, String endpoint, int connections, int size) throws Exception {
        byte[] message = new byte[size];
        for (int i = 0; i < size; i++) {
            message[i] = MESSAGE[i % MESSAGE.length];
        }
        boolean deflate = !endpoint.equals("off");
        byte[] payload = deflate ? compress(message) : message;
        URI uri = server.ws("/" + endpoint);
        // Warm-up on the uncompressed endpoint only: the container's pools and the JIT, no zlib memory.
        runChurn(server.ws("/off"), 200, message);
        List<Peer> open = new ArrayList<>();
        Inflater inflater = new Inflater(true);
        try {
            Memory before = Memory.sample(true);
            for (int i = 0; i < connections; i++) {
                Peer peer = Peer.connect(uri, OFFER);
                open.add(peer);
                peer.send(Peer.frame(0x1, deflate, payload));
                if (deflate) {
                    peer.expectCompressedEcho(message, inflater); // resets it: every server compressor starts empty
                } else {
                    peer.expectPlainEcho(message);
                }
            }
            Thread.sleep(500);
            Memory after = Memory.sample(true);
            long perConnection = (after.rss - before.rss) / connections;
            long outsidePer = (after.outsideHeap - before.outsideHeap) / connections;
            long heapPer = (after.heapUsed - before.heapUsed) / connections;
            System.out.println("[deflate memory] " + server.kind() + " /" + endpoint + ": " + connections
                    + " open connections, each after one " + size + "-byte message; extension " + open.get(0).extensions
                    + "\n  before " + before + "\n  after  " + after
                    + "\n  per connection: outside the heap " + outsidePer / 1024 + " KiB, heap used " + heapPer / 1024
                    + " KiB; resident " + perConnection / 1024 + " KiB");
            return outsidePer;
        } finally {
            inflater.end();
            for (Peer p : open) {
                p.close();
            }
        }
    }

    private static void runChurn(URI uri, int connections, byte[] plain) throws Exception {
        for (int i = 0; i < connections; i++) {
            try (Peer peer = Peer.connect(uri, OFFER)) {
                peer.send(Peer.frame(0x1, false, plain));
                peer.expectPlainEcho(plain);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] compress(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            int n;
            do {
                n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
            } while (n == buf.length);
            byte[] z = out.toByteArray();
            return Arrays.copyOf(z, z.length - 4);
        } finally {
            deflater.end();
        }
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static String signedMib(long bytes) {
        return (bytes >= 0 ? "+" : "") + mib(bytes);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /**
     * This process's resident memory: all of it (VmRSS), and the part outside the Java heap's
     * address range (from /proc/self/smaps, the range from the GC.heap_info diagnostic command),
     * which is where zlib's native state lives; the heap's own growth and shrinking under the
     * churn's garbage is left out of that one.
     */
    record Memory(long rss, long outsideHeap, long heapUsed, long heapCommitted) {
        static Memory sample(boolean gc) throws Exception {
            if (gc) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    Thread.sleep(100);
                }
            }
            long[] heap = heapRange();
            long rss = 0;
            long outside = 0;
            long from = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && line.chars().limit(dash).allMatch(c -> Character.digit(c, 16) >= 0)) {
                    from = Long.parseUnsignedLong(line.substring(0, dash), 16);
                } else if (line.startsWith("Rss:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    rss += kb * 1024;
                    if (Long.compareUnsigned(from, heap[0]) < 0 || Long.compareUnsigned(from, heap[1]) >= 0) {
                        outside += kb * 1024;
                    }
                }
            }
            assertTrue(rss > 0 && outside > 0, "Rss from /proc/self/smaps");
            var usage = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return new Memory(rss, outside, usage.getUsed(), usage.getCommitted());
        }

        /** [start, end) of the Java heap's reservation, from the line {@code ... heap total ..., used ... [0x..., 0x...)}. */
        private static long[] heapRange() throws Exception {
            Object info = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)").matcher(String.valueOf(info));
            if (!m.find()) {
                throw new AssertionError("no heap address range in GC.heap_info: " + info);
            }
            return new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)};
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "resident %s, outside the heap %s; heap used %s, committed %s", mib(rss),
                    mib(outsideHeap), mib(heapUsed), mib(heapCommitted));
        }
    }

    /** A bare client: the 101, whole frames out, one frame in; no zlib state of its own. */
    static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        final String extensions;

        private Peer(Socket socket, InputStream in, String extensions) throws IOException {
            this.socket = socket;
            this.in = in;
            this.out = socket.getOutputStream();
            this.extensions = extensions;
        }

        static Peer connect(URI uri, String offerLine) throws IOException {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), 5000);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(10_000);
                String key = RawWebSocketClient.newKey();
                socket.getOutputStream().write(RawWebSocketClient.upgradeRequest(uri, key, List.of(offerLine))
                        .getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = new BufferedInputStream(socket.getInputStream(), 1024);
                RawHttp.Response response = RawHttp.readHead(in);
                if (response.status() != 101 || !RawWebSocketClient.acceptFor(key).equals(response.header("Sec-WebSocket-Accept"))) {
                    throw new AssertionError("no valid 101: " + response);
                }
                return new Peer(socket, in, response.header("Sec-WebSocket-Extensions"));
            } catch (IOException | RuntimeException | Error e) {
                socket.close();
                throw e;
            }
        }

        void expectExtension(String prefix) {
            if (extensions == null || !extensions.startsWith(prefix)) {
                throw new AssertionError("expected " + prefix + ", got Sec-WebSocket-Extensions " + extensions);
            }
        }

        /** A masked client frame (FIN set; RSV1 when {@code compressed}). */
        static byte[] frame(int opcode, boolean compressed, byte[] payload) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(payload.length + 14);
            b.write(0x80 | (compressed ? 0x40 : 0) | opcode);
            if (payload.length < 126) {
                b.write(0x80 | payload.length);
            } else if (payload.length <= 0xffff) {
                b.write(0x80 | 126);
                b.write(payload.length >>> 8);
                b.write(payload.length);
            } else {
                b.write(0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    b.write((int) ((long) payload.length >>> shift));
                }
            }
            byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
            b.write(key, 0, 4);
            for (int i = 0; i < payload.length; i++) {
                b.write(payload[i] ^ key[i & 3]);
            }
            return b.toByteArray();
        }

        void send(byte[] frame) throws IOException {
            out.write(frame);
        }

        void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
        }

        /** One unmasked frame from the server: {opcode|rsv byte, payload}. */
        private Object[] read() throws IOException {
            int b0 = readByte();
            int b1 = readByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            if ((b1 & 0x80) != 0 || length > (64 << 20)) {
                throw new AssertionError("bad frame from the server: " + Integer.toHexString(b0) + " " + Integer.toHexString(b1));
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length != length) {
                throw new EOFException("TCP closed inside a frame");
            }
            return new Object[] {b0, payload};
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("TCP closed where a frame was expected");
            }
            return b;
        }

        void expectCompressedEcho(byte[] message, Inflater inflater) throws IOException, DataFormatException {
            Object[] frame = read();
            int b0 = (int) frame[0];
            byte[] payload = (byte[]) frame[1];
            if (b0 != 0xc1) {
                throw new AssertionError("expected a compressed text frame (c1), got " + Integer.toHexString(b0));
            }
            byte[] input = Arrays.copyOf(payload, payload.length + 4);
            input[payload.length + 2] = (byte) 0xff;
            input[payload.length + 3] = (byte) 0xff;
            inflater.reset();
            inflater.setInput(input);
            byte[] got = new byte[message.length + 1];
            int n = 0;
            while (n < got.length) {
                int k = inflater.inflate(got, n, got.length - n);
                if (k == 0) {
                    break;
                }
                n += k;
            }
            if (n != message.length || !Arrays.equals(message, Arrays.copyOf(got, n))) {
                throw new AssertionError("the compressed echo inflated to " + n + " bytes that differ");
            }
        }

        void expectPlainEcho(byte[] message) throws IOException {
            Object[] frame = read();
            if ((int) frame[0] != 0x81 || !Arrays.equals(message, (byte[]) frame[1])) {
                throw new AssertionError("expected the uncompressed echo, got " + Integer.toHexString((int) frame[0]));
            }
        }

        void expectClose(int code) throws IOException {
            while (true) {
                Object[] frame = read();
                int b0 = (int) frame[0];
                byte[] p = (byte[]) frame[1];
                if ((b0 & 0x0f) == 0x8) {
                    int got = p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005;
                    if (got != code) {
                        throw new AssertionError("expected close " + code + ", got " + got + " "
                                + new String(p, 2, Math.max(0, p.length - 2), StandardCharsets.UTF_8));
                    }
                    return;
                }
            }
        }

        void expectEof() throws IOException {
            try {
                if (in.read() >= 0) {
                    throw new AssertionError("bytes after the close frame");
                }
            } catch (SocketException reset) {
                // closed by the server, with a reset: fine
            }
        }

        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
