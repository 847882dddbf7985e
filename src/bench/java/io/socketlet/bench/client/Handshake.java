package io.socketlet.bench.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The RFC 6455 opening handshake, blocking, on a fresh socket. The request carries no
 * {@code Content-Length} (as browsers send it), and the response is checked: status 101, the
 * {@code Sec-WebSocket-Accept} for our key, and the extension the server agreed to.
 */
public final class Handshake {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** permessage-deflate as the server agreed to it. */
    public record Deflate(boolean serverNoContextTakeover, boolean clientNoContextTakeover) {
    }

    private Handshake() {
    }

    /** Opens a WebSocket connection; {@code offerDeflate} adds the permessage-deflate offer. */
    public static ClientConn open(int id, InetSocketAddress address, String path, boolean offerDeflate) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(address);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + address.getHostString() + ":" + address.getPort() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + (offerDeflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "")
                    + "\r\n";
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(4096);
            int end;
            while ((end = headerEnd(in)) < 0) {
                if (!in.hasRemaining()) {
                    throw new IOException("handshake response headers over 4 KiB");
                }
                if (channel.read(in) < 0) {
                    throw new IOException("connection closed during the handshake; got: "
                            + new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1));
                }
            }
            String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
            String[] lines = head.split("\r\n");
            if (!lines[0].startsWith("HTTP/1.1 101")) {
                throw new IOException("handshake refused: " + lines[0]);
            }
            String accept = null;
            String extensions = null;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("sec-websocket-accept")) {
                    accept = value;
                } else if (name.equals("sec-websocket-extensions")) {
                    extensions = extensions == null ? value : extensions + ", " + value;
                }
            }
            if (!acceptFor(key).equals(accept)) {
                throw new IOException("wrong Sec-WebSocket-Accept: " + accept);
            }
            Deflate deflate = null;
            if (extensions != null) {
                String e = extensions.toLowerCase(Locale.ROOT);
                if (!offerDeflate || !e.startsWith("permessage-deflate") || e.contains(",")) {
                    throw new IOException("unexpected Sec-WebSocket-Extensions: " + extensions);
                }
                deflate = new Deflate(e.contains("server_no_context_takeover"), e.contains("client_no_context_takeover"));
            } else if (offerDeflate) {
                throw new IOException("server did not agree to permessage-deflate");
            }
            ByteBuffer leftover = ByteBuffer.wrap(in.array(), end + 4, in.position() - end - 4).slice();
            return new ClientConn(id, channel, ByteBuffer.allocate(leftover.remaining()).put(leftover).flip(), false, deflate);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Opens a plain TCP connection (for the TCP echo server). */
    public static ClientConn openRaw(int id, InetSocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(address);
            return new ClientConn(id, channel, null, true, null);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static int headerEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 3; i < in.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i - 3;
            }
        }
        return -1;
    }

    static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
