package io.socketlet.it;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.server.WebSocketServlet;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The integration tests' own endpoints, written the way an application would write them: they
 * use only the public API ({@code io.socketlet} and {@link WebSocketServlet}).
 */
public final class TestEndpoints {

    /** The demo echo endpoint, loaded by name (see {@link Containers.Deployment#servlet(String, String, String, Map)}). */
    public static final String DEMO_ECHO = "io.socketlet.demo.EchoServlet";

    private TestEndpoints() {
    }

    /** Echoes text as text and binary as binary; settings only from init-params. */
    public static class Echo extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return new WebSocketHandler() {
                @Override
                public void onText(WebSocket socket, String text) {
                    socket.sendText(text);
                }

                @Override
                public void onBinary(WebSocket socket, ByteBuffer data) {
                    socket.sendBinary(data);
                }
            };
        }
    }

    /**
     * Speaks the subprotocols {@code chat}, {@code superchat} and {@code v2.echo} (server
     * preference in that order), set in {@code configure}; on open it sends
     * {@code subprotocol=<selected>} so a test can see what the application was told.
     */
    public static class Subprotocols extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void configure(WebSocketSettings settings) {
            settings.subprotocols(List.of("chat", "superchat", "v2.echo"));
        }

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return new WebSocketHandler() {
                @Override
                public void onOpen(WebSocket socket) {
                    socket.sendText("subprotocol=" + socket.subprotocol());
                }
            };
        }
    }

    /** Same reporting as {@link Subprotocols}, with the list coming only from the {@code subprotocols} init-param. */
    public static class ReportSubprotocol extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return new WebSocketHandler() {
                @Override
                public void onOpen(WebSocket socket) {
                    socket.sendText("subprotocol=" + socket.subprotocol());
                }
            };
        }
    }

    /** Refuses every connection: {@code accept} returns null, so the handshake answers 403. */
    public static class Refuse extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return null;
        }
    }

    /** Throws from {@code onText}: the server must close with 1011. Binary is echoed. */
    public static class Throwing extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return new WebSocketHandler() {
                @Override
                public void onText(WebSocket socket, String text) {
                    throw new IllegalStateException("socketlet IT: deliberate failure in onText (expected in the log)");
                }

                @Override
                public void onBinary(WebSocket socket, ByteBuffer data) {
                    socket.sendBinary(data);
                }
            };
        }
    }

    /**
     * Closes on command: a text message {@code close <code> <reason>} makes the server call
     * {@code socket.close(code, reason)}; anything else is echoed.
     */
    public static class CloseOnCommand extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return new WebSocketHandler() {
                @Override
                public void onText(WebSocket socket, String text) {
                    if (text.startsWith("close ")) {
                        String[] parts = text.split(" ", 3);
                        socket.close(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "");
                    } else {
                        socket.sendText(text);
                    }
                }

                @Override
                public void onBinary(WebSocket socket, ByteBuffer data) {
                    socket.sendBinary(data);
                }
            };
        }
    }

    /** One callback seen by {@link Recording}. */
    public record Event(String type, int code, String reason, long atNanos) {
        @Override
        public String toString() {
            return type + (type.equals("close") ? "(" + code + ", '" + reason + "')" : "");
        }
    }

    /**
     * Records onOpen/onText/onError/onClose into a queue per connection id (the {@code id} query
     * parameter), for tests that assert what the application saw. Text is echoed.
     */
    public static class Recording extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        private static final Map<String, BlockingQueue<Event>> EVENTS = new ConcurrentHashMap<>();

        /** The events of the connection that used {@code ?id=<id>}. */
        public static BlockingQueue<Event> events(String id) {
            return EVENTS.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
        }

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            String id = request.queryParameter("id");
            BlockingQueue<Event> events = events(id == null ? "none" : id);
            return new WebSocketHandler() {
                @Override
                public void onOpen(WebSocket socket) {
                    events.add(new Event("open", 0, "", System.nanoTime()));
                }

                @Override
                public void onText(WebSocket socket, String text) {
                    events.add(new Event("text", 0, text, System.nanoTime()));
                    socket.sendText(text);
                }

                @Override
                public void onError(WebSocket socket, Throwable error) {
                    events.add(new Event("error", 0, String.valueOf(error), System.nanoTime()));
                }

                @Override
                public void onClose(WebSocket socket, int code, String reason) {
                    events.add(new Event("close", code, reason, System.nanoTime()));
                }
            };
        }
    }
}
