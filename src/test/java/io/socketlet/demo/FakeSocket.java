package io.socketlet.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketlet.FakeHandshakeRequest;
import io.socketlet.HandshakeRequest;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketClosedException;
import io.socketlet.WebSocketHandler;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link WebSocket} in memory, driving a {@link WebSocketHandler} the way the engine would:
 * records what is sent to it, and can be a peer that reads ({@link Mode#FLOWING}), one that never
 * reads (its send futures never complete and its {@link #bufferedAmount()} grows), one whose
 * connection is gone (sends fail), or one whose send throws (which the API says it never does).
 */
public final class FakeSocket implements WebSocket {

    public enum Mode { FLOWING, STALLED, FAILING, THROWING }

    private static final ObjectMapper JSON = new ObjectMapper();

    public final String name;
    private final WebSocketHandler handler;
    private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    private final List<io.socketlet.PreparedMessage> prepared = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicInteger closeCalls = new AtomicInteger();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private volatile Mode mode = Mode.FLOWING;
    private volatile boolean open = true;
    private volatile int closeCode = -1;
    private volatile String closeReason;
    private volatile Map<String, List<String>> query = Map.of();

    public FakeSocket(String name, WebSocketHandler handler) {
        this.name = name;
        this.handler = handler;
    }

    public FakeSocket(String name) {
        this(name, new WebSocketHandler() {
        });
    }

    /** The handshake's query parameter, e.g. {@code after} for a page that resumes. */
    public FakeSocket query(String name, String value) {
        query = Map.of(name, List.of(value));
        return this;
    }

    public FakeSocket mode(Mode newMode) {
        this.mode = newMode;
        return this;
    }

    // ---- the engine's side: events into the handler ----

    public FakeSocket open() {
        handler.onOpen(this);
        return this;
    }

    public FakeSocket text(String text) {
        handler.onText(this, text);
        return this;
    }

    public FakeSocket binary(byte[] data) {
        handler.onBinary(this, ByteBuffer.wrap(data));
        return this;
    }

    /** The peer went away (or the engine finished a close): onClose, once. */
    public void disconnect() {
        boolean wasOpen = open;
        open = false;
        if (wasOpen || closeCode != -1) {
            handler.onClose(this, closeCode == -1 ? 1006 : closeCode, closeReason == null ? "" : closeReason);
        }
    }

    // ---- what the handler did ----

    public List<String> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    public List<JsonNode> messages() {
        List<JsonNode> out = new ArrayList<>();
        for (String s : sent()) {
            try {
                out.add(JSON.readTree(s));
            } catch (Exception e) {
                throw new AssertionError("the server sent something that is not JSON: " + s, e);
            }
        }
        return out;
    }

    public List<JsonNode> ofType(String type) {
        return messages().stream().filter(m -> type.equals(m.path("type").asText())).toList();
    }

    public JsonNode last(String type) {
        List<JsonNode> all = ofType(type);
        if (all.isEmpty()) {
            throw new AssertionError(name + " got no \"" + type + "\" message; got " + sent());
        }
        return all.get(all.size() - 1);
    }

    public void clearSent() {
        sent.clear();
    }

    public int closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    public int closeCalls() {
        return closeCalls.get();
    }

    // ---- WebSocket ----

    @Override
    public CompletableFuture<Void> sendText(CharSequence text) {
        if (!open) {
            return CompletableFuture.failedFuture(new WebSocketClosedException("closed"));
        }
        sent.add(text.toString());
        return switch (mode) {
            case FLOWING -> CompletableFuture.completedFuture(null);
            case STALLED -> {
                buffered.addAndGet(text.length());
                yield new CompletableFuture<>(); // never completes: the peer reads nothing
            }
            case FAILING -> CompletableFuture.failedFuture(new WebSocketClosedException("connection reset"));
            case THROWING -> throw new NullPointerException("an engine bug: sendText must not throw");
        };
    }

    /** Every PreparedMessage sent here, to tell one encoded message shared by many from copies. */
    public List<io.socketlet.PreparedMessage> prepared() {
        synchronized (prepared) {
            return List.copyOf(prepared);
        }
    }

    @Override
    public CompletableFuture<Void> send(io.socketlet.PreparedMessage message) {
        prepared.add(message);
        return message.isText() ? sendText(message.text()) : sendBinary(message.binary());
    }

    @Override
    public CompletableFuture<Void> sendBinary(ByteBuffer data) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("the demo endpoints send text only"));
    }

    @Override
    public CompletableFuture<Void> ping(ByteBuffer payload) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> close(int code, String reason) {
        closeCalls.incrementAndGet();
        if (reason != null && reason.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
            throw new IllegalArgumentException("close reason over 123 bytes: " + reason);
        }
        if (open) {
            open = false;
            closeCode = code;
            closeReason = reason;
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public long bufferedAmount() {
        return buffered.get();
    }

    @Override
    public String subprotocol() {
        return "";
    }

    @Override
    public List<String> extensions() {
        return List.of("permessage-deflate");
    }

    @Override
    public ProtocolVersion protocolVersion() {
        return ProtocolVersion.RFC6455;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 50000);
    }

    @Override
    public HandshakeRequest handshake() {
        return FakeHandshakeRequest.empty().path("/fake").queryParameters(query).remoteAddress(remoteAddress());
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        return "FakeSocket[" + name + "]";
    }
}
