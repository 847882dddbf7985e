package io.socketlet.it;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@link java.net.http.WebSocket} as a test client: whole messages (reassembled from
 * however the server framed them) land in a queue, the server's close in a future.
 */
public final class JdkClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The server's close frame as the JDK reported it. */
    public record Close(int code, String reason) {
    }

    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private JdkClient(URI uri, List<String> subprotocols) throws Exception {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.get(0), subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        this.socket = builder.buildAsync(uri, new Collector()).get(10, TimeUnit.SECONDS);
    }

    public static JdkClient connect(URI uri, String... subprotocols) throws Exception {
        return new JdkClient(uri, List.of(subprotocols));
    }

    public WebSocket socket() {
        return socket;
    }

    /** Sends one text frame and waits until it was written. */
    public void sendText(CharSequence text, boolean last) throws Exception {
        socket.sendText(text, last).get(30, TimeUnit.SECONDS);
    }

    /** Sends one binary frame and waits until it was written. */
    public void sendBinary(byte[] data, boolean last) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(data), last).get(30, TimeUnit.SECONDS);
    }

    /** The next whole message: a {@code String} or a {@code byte[]}. Fails if none arrives in time. */
    public Object next(Duration timeout) throws InterruptedException {
        Object message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            String state = closed.isDone() ? "server closed with " + closed.getNow(null)
                    : closed.isCompletedExceptionally() ? "connection failed" : "connection still open";
            throw new AssertionError("no message within " + timeout.toMillis() + " ms (" + state + ")");
        }
        return message;
    }

    public String nextText(Duration timeout) throws InterruptedException {
        Object message = next(timeout);
        if (!(message instanceof String s)) {
            throw new AssertionError("expected a text message, got binary of " + ((byte[]) message).length + " bytes");
        }
        return s;
    }

    public byte[] nextBinary(Duration timeout) throws InterruptedException {
        Object message = next(timeout);
        if (!(message instanceof byte[] b)) {
            throw new AssertionError("expected a binary message, got text of " + ((String) message).length() + " chars");
        }
        return b;
    }

    /** Completes with the server's close frame; fails if the connection failed. */
    public CompletableFuture<Close> closed() {
        return closed;
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Collector implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.write(chunk, 0, chunk.length);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
