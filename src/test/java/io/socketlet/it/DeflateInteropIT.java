package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * permessage-deflate (RFC 7692) with real peers on both containers: Node's {@code ws}
 * (src/test/node/deflate-client.js) echoing text and binary of every size up to 16 MiB through
 * the demo echo endpoint, with context takeover and with each no_context_takeover parameter; a
 * deflate bomb from ws and from a raw client, closed with 1009; and, read frame by frame from a
 * raw client, which messages the server compresses (the threshold), what it answers for each
 * setting, and that its compressed messages inflate in an independent {@link Inflater}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeflateInteropIT {

    private static final String OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";
    private static final Map<String, String> QUICK = Map.of("pingInterval", "0", "closeTimeout", "500ms");

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("echo", TestEndpoints.DEMO_ECHO, "/echo", Map.of())
            .servlet("small", TestEndpoints.Echo.class, "/small", QUICK)
            .servlet("threshold1k", TestEndpoints.Echo.class, "/threshold1k", with("compressionThreshold", "1K"))
            .servlet("threshold0", TestEndpoints.Echo.class, "/threshold0", with("compressionThreshold", "0"))
            .servlet("nocompress", TestEndpoints.Echo.class, "/nocompress", with("compression", "false"))
            .servlet("notakeover", TestEndpoints.Echo.class, "/notakeover", with("compressionContextTakeover", "false")));

    private static Map<String, String> with(String name, String value) {
        Map<String, String> params = new java.util.HashMap<>(QUICK);
        params.put(name, value);
        return params;
    }

    // ------------------------------------------------------------------ Node's ws

    /** The client's options, and the Sec-WebSocket-Extensions it must see. */
    enum Variant {
        CONTEXT_TAKEOVER("permessage-deflate", List.of()),
        CLIENT_NO_CONTEXT_TAKEOVER("permessage-deflate; client_no_context_takeover", List.of("--client-nct")),
        SERVER_NO_CONTEXT_TAKEOVER("permessage-deflate; server_no_context_takeover", List.of("--server-nct")),
        BOTH_NO_CONTEXT_TAKEOVER("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                List.of("--server-nct", "--client-nct"));

        final String negotiated;
        final List<String> flags;

        Variant(String negotiated, List<String> flags) {
            this.negotiated = negotiated;
            this.flags = flags;
        }
    }

    static Stream<Arguments> variants() {
        return ContainerKind.times((Object[]) Variant.values());
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("variants")
    void nodeWsEchoesEverySizeCompressed(ContainerKind kind, Variant variant) throws Exception {
        List<String> args = new ArrayList<>(List.of("echo", SERVERS.get(kind).ws("/echo").toString()));
        args.addAll(variant.flags);
        NodeRun run = node(args);
        List<String> expected = new ArrayList<>();
        for (int size : new int[] {0, 1, 255, 256, 257, 1000, 65536, 1 << 20, 16 << 20}) {
            for (String content : List.of("random", "compressible")) {
                expected.add("ok text " + content + " " + size);
                expected.add("ok binary " + content + " " + size);
            }
        }
        expected.add("ok close 1000");
        run.assertPassed(expected);
        assertEquals(variant.negotiated, run.negotiated(), "the Sec-WebSocket-Extensions ws saw\n" + run.output);
    }

    @BothContainers
    void nodeWsWithServerMaxWindowBits15IsAnsweredWith15(ContainerKind kind) throws Exception {
        NodeRun run = node(List.of("echo", SERVERS.get(kind).ws("/echo").toString(), "--server-bits=15", "--sizes=0,300,70000"));
        run.assertPassed(List.of("ok text compressible 70000", "ok binary random 70000"));
        assertEquals("permessage-deflate; server_max_window_bits=15", run.negotiated(), run.output);
    }

    @BothContainers
    void nodeWsWithASmallClientWindowIsInflated(ContainerKind kind) throws Exception {
        // client_max_window_bits=9: ws compresses with a 512-byte window; our Inflater reads any window up to 15 bits.
        NodeRun run = node(List.of("echo", SERVERS.get(kind).ws("/echo").toString(), "--client-bits=9", "--sizes=1000,70000,1048576"));
        run.assertPassed(List.of("ok text compressible 1048576", "ok binary random 1048576"));
        assertEquals("permessage-deflate", run.negotiated(), run.output);
    }

    @BothContainers
    void nodeWsAskingForASmallServerWindowGetsNoCompression(ContainerKind kind) throws Exception {
        // server_max_window_bits=10 cannot be honoured (Deflater's window is 15 bits): the offer is declined and
        // the connection goes on uncompressed, never with a false answer.
        NodeRun run = node(List.of("echo", SERVERS.get(kind).ws("/echo").toString(), "--server-bits=10", "--expect-none",
                "--sizes=0,300,70000"));
        run.assertPassed(List.of("ok text compressible 70000", "ok binary random 70000"));
        assertEquals("none", run.negotiated(), run.output);
    }

    @BothContainers
    void nodeWsBombIsClosedWith1009(ContainerKind kind) throws Exception {
        // 64 MiB of zeros, compressed by ws into about 64 KiB: one frame under the 1 MiB frame limit that inflates
        // 64 times past the 1 MiB message limit.
        NodeRun run = node(List.of("bomb", SERVERS.get(kind).ws("/small").toString(), String.valueOf(64 << 20)));
        run.assertPassed(List.of("ok bomb close 1009"));
    }

    @BothContainers
    void nodeWsSeesEmptyMessagesIntactWhenEverythingIsCompressed(ContainerKind kind) throws Exception {
        // compressionThreshold=0: the server compresses even empty messages, with context takeover.
        NodeRun run = node(List.of("empty", SERVERS.get(kind).ws("/threshold0").toString()));
        run.assertPassed(List.of("ok echo 4000"));
    }

    // ------------------------------------------------------------------ raw client: bombs

    @BothContainers
    void rawBombOnTheDemoEchoIsClosedWith1009(ContainerKind kind) throws Exception {
        // 256 MiB of zeros deflate to about 256 KiB: far under the demo's 16 MiB frame limit, 16 times its message limit.
        try (DeflatePeer c = DeflatePeer.connect(SERVERS.get(kind), "/echo", OFFER)) {
            assertTrue(c.negotiated(), c.raw.transcript());
            c.raw.send(Frame.text("before the bomb"));
            c.expect(Frame.TEXT, "before the bomb".getBytes(StandardCharsets.UTF_8));
            c.raw.send(Frame.binary(BOMB_256_MIB).rsv(4));
            c.raw.expectFailure(1009);
        }
    }

    @BothContainers
    void rawBombInFragmentsIsClosedWith1009(ContainerKind kind) throws Exception {
        // The bomb cut into 256-byte fragments (each inflates to about 256 KiB): the limit of /small (1 MiB) passes
        // within the first eight, and the server refuses the message there, before it ends (none of them is final).
        try (DeflatePeer c = DeflatePeer.connect(SERVERS.get(kind), "/small", OFFER)) {
            int piece = 256;
            for (int i = 0; i < 8; i++) {
                byte[] part = Arrays.copyOfRange(BOMB_256_MIB, i * piece, (i + 1) * piece);
                c.raw.send(i == 0 ? Frame.binary(part).rsv(4).fin(false) : Frame.continuation(part).fin(false));
            }
            c.raw.expectFailure(1009);
        }
    }

    /** 256 MiB of zeros, compressed (sync flush, tail removed): about 256 KiB. */
    private static final byte[] BOMB_256_MIB = zeros(256 << 20);

    private static byte[] zeros(int size) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            byte[] chunk = new byte[1 << 20];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 << 10];
            for (int done = 0; done < size; done += chunk.length) {
                deflater.setInput(chunk, 0, Math.min(chunk.length, size - done));
                while (!deflater.needsInput()) {
                    out.write(buf, 0, deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
                }
            }
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

    // ------------------------------------------------------------------ raw client: what the server sends

    @BothContainers
    void compressesOnlyMessagesAtOrOverTheThreshold(ContainerKind kind) throws Exception {
        // Default compressionThreshold 256: "smaller messages go uncompressed", RSV1 clear; 256 bytes and more, RSV1 set.
        try (DeflatePeer c = DeflatePeer.connect(SERVERS.get(kind), "/small", OFFER)) {
            assertEquals("permessage-deflate", c.extensions, c.raw.transcript());
            for (int size : new int[] {0, 1, 255, 256, 257, 1000, 70_000}) {
                byte[] text = repeat("abcdefgh", size);
                c.raw.send(Frame.text(text)); // the client's own message uncompressed: the server decides alone
                Frame.Received echo = c.expect(Frame.TEXT, text);
                assertEquals(size >= 256, (echo.rsv() & 4) != 0, size + " bytes of text: RSV1\n" + c.raw.transcript());
                byte[] binary = repeat("01234567", size);
                c.raw.send(Frame.binary(c.compress(binary)).rsv(4));
                Frame.Received binEcho = c.expect(Frame.BINARY, binary);
                assertEquals(size >= 256, (binEcho.rsv() & 4) != 0, size + " bytes of binary: RSV1\n" + c.raw.transcript());
                if (size < 256) {
                    assertArrayEquals(binary, binEcho.payload(), "sent as it is");
                }
            }
        }
    }

    @BothContainers
    void honoursAConfiguredThreshold(ContainerKind kind) throws Exception {
        try (DeflatePeer c = DeflatePeer.connect(SERVERS.get(kind), "/threshold1k", OFFER)) {
            for (int size : new int[] {256, 1023, 1024, 1025}) {
                byte[] text = repeat("abcdefgh", size);
                c.raw.send(Frame.text(text));
                Frame.Received echo = c.expect(Frame.TEXT, text);
                assertEquals(size >= 1024, (echo.rsv() & 4) != 0, size + " bytes: RSV1\n" + c.raw.transcript());
            }
        }
    }

    @BothContainers
    void sharesTheWindowAcrossMessagesWithContextTakeover(ContainerKind kind) throws Exception {
        try (DeflatePeer c = DeflatePeer.connect(SERVERS.get(kind), "/small", OFFER)) {
            byte[] random = new byte[2000];
            new java.util.Random(5).nextBytes(random);
            c.raw.send(Frame.binary(random));
            Frame.Received first = c.expect(Frame.BINARY, random);
            c.raw.send(Frame.binary(random));
            Frame.Received second = c.expect(Frame.BINARY, random);
            assertTrue(first.payload().length >= 2000 && second.payload().length < 30,
                    "the second copy is a back-reference into the first: " + first.payload().length + " then "
                            + second.payload().length + " bytes\n" + c.raw.transcript());
        }
    }

    @BothContainers
    void keepsNoWindowWhenContextTakeoverIsOff(ContainerKind kind) throws Exception {
        // compressionContextTakeover=false answers both no_context_takeover parameters, whatever was offered.
        try (DeflatePeer c = DeflatePeer.connect(SERVERS.get(kind), "/notakeover", OFFER)) {
            assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover", c.extensions,
                    c.raw.transcript());
            byte[] random = new byte[2000];
            new java.util.Random(5).nextBytes(random);
            for (int i = 0; i < 3; i++) {
                c.raw.send(Frame.binary(c.compress(random)).rsv(4));
                Frame.Received echo = c.expect(Frame.BINARY, random);
                assertTrue(echo.payload().length >= 2000, "message " + i + " stands alone: " + echo.payload().length + " bytes");
            }
        }
    }

    @BothContainers
    void neverNegotiatesWhenCompressionIsOff(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/nocompress"), List.of(OFFER))) {
            assertNull(c.handshake().header("Sec-WebSocket-Extensions"), c.transcript());
            c.send(Frame.text("x".repeat(1000)));
            c.expectText("x".repeat(1000)); // RSV1 clear
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            try {
                c.send(Frame.text(DeflatePeer.deflate(deflater, "y".repeat(300).getBytes(StandardCharsets.US_ASCII))).rsv(4));
            } finally {
                deflater.end();
            }
            c.expectFailure(1002); // RSV1 without the extension
        }
    }

    @BothContainers
    void fallsBackToTheNextOfferAndAnswersOnlyThat(ContainerKind kind) throws Exception {
        String offers = "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10, "
                + "x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover; client_max_window_bits";
        try (DeflatePeer c = DeflatePeer.connect(SERVERS.get(kind), "/small", offers)) {
            assertEquals("permessage-deflate; server_no_context_takeover", c.extensions, c.raw.transcript());
            byte[] text = repeat("fallback ", 3000);
            for (int i = 0; i < 2; i++) {
                c.raw.send(Frame.text(c.compress(text)).rsv(4));
                c.expect(Frame.TEXT, text);
            }
        }
    }

    @BothContainers
    void malformedOfferStillUpgrades(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/small"),
                List.of("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits="))) {
            assertNull(c.handshake().header("Sec-WebSocket-Extensions"), c.transcript());
            c.send(Frame.text("x".repeat(1000)));
            c.expectText("x".repeat(1000));
        }
    }

    @BothContainers
    void neverSendsAnEmptyCompressedPayload(ContainerKind kind) throws Exception {
        // compressionThreshold=0 compresses empty messages too. RFC 7692 7.2.3.6: an empty message is the empty
        // stored block, payload 0x00; a zero-length payload with RSV1 leaves a receiver that keeps its window inside
        // a stored block header (00 00 ff ff alone is incomplete), and the next message then inflates to garbage.
        try (DeflatePeer c = DeflatePeer.connect(SERVERS.get(kind), "/threshold0", OFFER)) {
            for (String text : List.of("Hello", "", "Hello", "", "", "Hello")) {
                c.raw.send(Frame.text(text));
                Frame.Received echo = c.expect(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
                assertTrue((echo.rsv() & 4) != 0, "threshold 0: everything compressed\n" + c.raw.transcript());
                assertTrue(echo.payload().length > 0, "an RSV1 frame with an empty payload for " + '"' + text + '"' + "\n"
                        + c.raw.transcript());
            }
        }
    }

    private static byte[] repeat(String unit, int size) {
        byte[] u = unit.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = u[i % u.length];
        }
        return b;
    }

    /** The client half of permessage-deflate over a {@link RawWebSocketClient}; its zlib state ended on close. */
    static final class DeflatePeer implements AutoCloseable {
        final RawWebSocketClient raw;
        final String extensions;
        private final boolean serverNoContextTakeover;
        private final boolean clientNoContextTakeover;
        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        private final Inflater inflater = new Inflater(true);

        private DeflatePeer(RawWebSocketClient raw) {
            this.raw = raw;
            this.extensions = raw.handshake().header("Sec-WebSocket-Extensions");
            String ext = extensions == null ? "" : extensions.toLowerCase(Locale.ROOT);
            this.serverNoContextTakeover = ext.contains("server_no_context_takeover");
            this.clientNoContextTakeover = ext.contains("client_no_context_takeover");
        }

        static DeflatePeer connect(Containers.Running server, String path, String offerLine) throws IOException {
            return new DeflatePeer(RawWebSocketClient.connect(server.ws(path), List.of(offerLine)));
        }

        boolean negotiated() {
            return extensions != null && extensions.startsWith("permessage-deflate");
        }

        byte[] compress(byte[] data) {
            if (clientNoContextTakeover) {
                deflater.reset();
            }
            return deflate(deflater, data);
        }

        static byte[] deflate(Deflater deflater, byte[] data) {
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            do {
                n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
            } while (n == buf.length);
            byte[] z = out.toByteArray();
            return Arrays.copyOf(z, z.length - 4);
        }

        /** Reads one unfragmented message, asserts its opcode and (inflated) content; returns its frame as sent. */
        Frame.Received expect(int opcode, byte[] content) throws IOException {
            Frame.Received frame = raw.read(Duration.ofSeconds(10));
            assertEquals(opcode, frame.opcode(), () -> "opcode of " + frame + "\n" + raw.transcript());
            assertTrue(frame.fin(), () -> "the server sends messages whole\n" + raw.transcript());
            assertEquals(0, frame.rsv() & 3, () -> "RSV2/RSV3\n" + raw.transcript());
            byte[] got = (frame.rsv() & 4) != 0 ? inflate(frame.payload()) : frame.payload();
            if (!Arrays.equals(content, got)) {
                fail("message of " + content.length + " bytes came back as " + got.length + " bytes: "
                        + HexFormat.of().formatHex(got, 0, Math.min(got.length, 32)) + "\n" + raw.transcript());
            }
            return frame;
        }

        private byte[] inflate(byte[] payload) {
            if (serverNoContextTakeover) {
                inflater.reset();
            }
            byte[] input = Arrays.copyOf(payload, payload.length + 4);
            input[payload.length + 2] = (byte) 0xff;
            input[payload.length + 3] = (byte) 0xff;
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            try {
                while (true) {
                    int n = inflater.inflate(buf);
                    out.write(buf, 0, n);
                    if (n == 0 && (inflater.needsInput() || inflater.finished())) {
                        break;
                    }
                }
            } catch (DataFormatException e) {
                fail("the server's compressed message does not inflate: " + e + "\n" + raw.transcript());
            }
            return out.toByteArray();
        }

        @Override
        public void close() throws IOException {
            deflater.end();
            inflater.end();
            raw.close();
        }
    }

    // ------------------------------------------------------------------ running node

    /** Runs {@code node deflate-client.js args...} from src/test/node, where {@code npm ci} installed ws. */
    static NodeRun node(List<String> args) throws Exception {
        Path dir = Path.of(System.getProperty("socketlet.node.dir", "src/test/node"));
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("ws"))) {
            throw new IllegalStateException("Node's ws is not installed in " + dir.toAbsolutePath() + ": run `npm ci` there");
        }
        List<String> command = new ArrayList<>(List.of("node", dir.resolve("deflate-client.js").toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "node-output");
        pump.start();
        if (!process.waitFor(110, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            pump.join(2000);
            throw new AssertionError("node did not finish in 110 s: " + command + "\n" + output.toString(StandardCharsets.UTF_8));
        }
        pump.join(5000);
        String text = output.toString(StandardCharsets.UTF_8);
        System.out.println("[node deflate-client " + String.join(" ", args) + "] exit " + process.exitValue() + "\n" + text.strip());
        return new NodeRun(process.exitValue(), text, command);
    }

    record NodeRun(int exit, String output, List<String> command) {
        void assertPassed(List<String> expectedLines) {
            String context = "\ncommand: " + String.join(" ", command) + "\noutput:\n" + output;
            assertEquals(0, exit, "node exit code" + context);
            for (String line : expectedLines) {
                assertTrue(output.lines().anyMatch(l -> l.equals(line) || l.startsWith(line + " ")), "missing line '" + line + "'" + context);
            }
            assertTrue(output.lines().anyMatch("PASS"::equals), "no PASS" + context);
        }

        /** The Sec-WebSocket-Extensions header ws received, or "none". */
        String negotiated() {
            return output.lines().filter(l -> l.startsWith("negotiated ")).map(l -> l.substring("negotiated ".length()))
                    .findFirst().orElseThrow(() -> new AssertionError("no negotiated line:\n" + output));
        }
    }
}
