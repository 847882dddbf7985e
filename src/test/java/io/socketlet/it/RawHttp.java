package io.socketlet.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 written and read by hand over a {@link Socket}, so a test controls every byte of the
 * request (odd header case, missing Host, HTTP/1.0, no Content-Length) and sees every byte of
 * the response. Only 127.0.0.1 is ever contacted.
 */
public final class RawHttp {

    public static final String CRLF = "\r\n";

    private RawHttp() {
    }

    /** A parsed response: status line, headers in order, and the body (empty for 101). */
    public record Response(String statusLine, int status, List<String[]> headerList, byte[] body) {

        /** The first value of the header, matched without regard to case, or null. */
        public String header(String name) {
            for (String[] h : headerList) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        /** All values of the header, in order. */
        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headerList) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }

        /** Whether some comma-separated element of the header equals the token, ignoring case. */
        public boolean headerHasToken(String name, String token) {
            for (String value : headers(name)) {
                for (String element : value.split(",")) {
                    if (element.trim().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
            return false;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(statusLine).append("\\r\\n");
            for (String[] h : headerList) {
                sb.append(h[0]).append(": ").append(h[1]).append("\\r\\n");
            }
            sb.append("\\r\\n");
            String text = bodyText();
            sb.append(text.length() > 300 ? text.substring(0, 300) + "..." : text);
            return sb.toString();
        }
    }

    /**
     * Sends the request bytes as they are, reads one response and closes the socket. The
     * request should carry {@code Connection: close} or a body length the server can find.
     */
    public static Response exchange(int port, String request, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            Response head = readHead(in);
            byte[] body = readBody(in, head);
            return new Response(head.statusLine(), head.status(), head.headerList(), body);
        }
    }

    /** Builds a request from a request line and header lines, ending with the blank line. */
    public static String request(String requestLine, List<String> headerLines) {
        StringBuilder sb = new StringBuilder(requestLine).append(CRLF);
        for (String line : headerLines) {
            sb.append(line).append(CRLF);
        }
        return sb.append(CRLF).toString();
    }

    /**
     * Reads a status line and headers, up to and including the blank line, one byte at a time
     * (so not one byte of what follows, such as a first WebSocket frame, is consumed).
     */
    public static Response readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0; // how much of \r\n\r\n has been seen
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed after " + head.size() + " bytes of response head: "
                        + printable(head.toByteArray()));
            }
            head.write(b);
            if (head.size() > 64 * 1024) {
                throw new IOException("response head over 64 KiB");
            }
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
                default -> 0;
            };
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        String statusLine = lines[0];
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + printable(statusLine.getBytes(StandardCharsets.ISO_8859_1)));
        }
        int status = Integer.parseInt(parts[1]);
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
        }
        return new Response(statusLine, status, headers, new byte[0]);
    }

    /** Reads one whole response (head and body) from a connection that stays open. */
    public static Response readResponse(InputStream in) throws IOException {
        Response head = readHead(in);
        return new Response(head.statusLine(), head.status(), head.headerList(), readBody(in, head));
    }

    private static byte[] readBody(InputStream in, Response head) throws IOException {
        if (head.status() == 101 || head.status() == 204 || head.status() == 304) {
            return new byte[0];
        }
        String length = head.header("Content-Length");
        String encoding = head.header("Transfer-Encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }
        if (length != null) {
            int n = Integer.parseInt(length.trim());
            byte[] body = in.readNBytes(n);
            if (body.length != n) {
                throw new EOFException("body ended after " + body.length + " of " + n + " bytes");
            }
            return body;
        }
        // No length: the body runs to the end of the connection.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                body.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("response had no length and the connection stayed open; body so far: "
                    + printable(body.toByteArray()), e);
        }
        return body.toByteArray();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        throw new EOFException("connection closed inside a chunked body");
    }

    /** ASCII as is, everything else as \xNN: for failure messages. */
    public static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte value : bytes) {
            int b = value & 0xff;
            if (b == '\r') {
                sb.append("\\r");
            } else if (b == '\n') {
                sb.append("\\n");
            } else if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02X", b));
            }
        }
        return sb.toString();
    }
}
