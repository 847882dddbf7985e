package io.socketlet.it;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.server.WebSocketServlet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
        protected void configure(WebSocketSettings.Builder settings) {
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

    /**
     * Echoes, but takes 300 ms to decide in {@code accept}, as an application that looks a
     * token up somewhere would: widens any window between admission checks and registration.
     */
    public static class SlowAccept extends Echo {
        private static final long serialVersionUID = 1L;

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.accept(request);
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
     * Acts on command: {@code close <code> <reason>} makes the server call
     * {@code socket.close(code, reason)}; {@code reply-and-close <code>} sends {@code reply} and
     * closes; {@code join <text>} sends the text and waits for it with {@code join()} inside the
     * callback, then sends {@code joined}; {@code ping <text>} calls {@code socket.ping} and the
     * pong comes back as the text {@code pong:<payload>}; anything else is echoed.
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
                    } else if (text.startsWith("reply-and-close ")) {
                        socket.sendText("reply");
                        socket.close(Integer.parseInt(text.substring(16)), "");
                    } else if (text.startsWith("join ")) {
                        // A blocking send inside the callback, as JSR-356 code often does.
                        socket.sendText(text.substring(5)).join();
                        socket.sendText("joined");
                    } else if (text.startsWith("ping ")) {
                        socket.ping(ByteBuffer.wrap(text.substring(5).getBytes(StandardCharsets.UTF_8)));
                    } else {
                        socket.sendText(text);
                    }
                }

                @Override
                public void onBinary(WebSocket socket, ByteBuffer data) {
                    socket.sendBinary(data);
                }

                @Override
                public void onPong(WebSocket socket, ByteBuffer payload) {
                    socket.sendText("pong:" + StandardCharsets.UTF_8.decode(payload));
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

    /**
     * Sends, on open, what the application can learn of its connection, one {@code name=value}
     * per line, so a test can check the {@link HandshakeRequest} and {@link WebSocket} accessors.
     */
    public static class Inspect extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected WebSocketHandler accept(HandshakeRequest h) {
            return new WebSocketHandler() {
                @Override
                public void onOpen(WebSocket socket) {
                    HandshakeRequest r = socket.handshake();
                    List<String> lines = new ArrayList<>();
                    lines.add("path=" + r.path());
                    lines.add("query=" + r.query());
                    lines.add("param.a=" + r.queryParameter("a"));
                    lines.add("params.b=" + r.queryParameters().get("b"));
                    lines.add("header.x-custom=" + r.header("X-CUSTOM"));
                    lines.add("headers.x-multi=" + r.headers("x-multi"));
                    lines.add("headersMap.has-x-custom=" + r.headers().containsKey("x-custom"));
                    lines.add("origin=" + r.origin());
                    lines.add("subprotocols=" + r.subprotocols());
                    lines.add("remote=" + socket.remoteAddress().getHostString());
                    lines.add("remoteHasInetAddress=" + (socket.remoteAddress().getAddress() != null));
                    lines.add("requestRemote=" + (r.remoteAddress() == null ? null : r.remoteAddress().getHostString()));
                    lines.add("secure=" + r.secure());
                    lines.add("httpVersion=" + r.httpVersion());
                    lines.add("version=" + socket.protocolVersion());
                    lines.add("subprotocol=" + socket.subprotocol());
                    lines.add("isOpen=" + socket.isOpen());
                    lines.add("sameRequest=" + (r == h || r.path().equals(h.path())));
                    socket.sendText(String.join("\n", lines));
                }
            };
        }
    }

    /**
     * Sends on command, for backpressure and thread-safety tests. {@code flood <count> <size>}
     * sends that many binary messages at once from the callback; {@code burst <threads> <count>}
     * starts that many threads that each send {@code count} texts {@code t<k>-<i>:<padding>}
     * concurrently. Events (and the number of failed sends) are recorded under the {@code id}
     * query parameter, as {@link Recording} does.
     */
    public static class Sender extends WebSocketServlet {
        private static final long serialVersionUID = 1L;

        /** The text the burst thread {@code k} sends as its message {@code i}. */
        public static String burstMessage(int k, int i) {
            return "t" + k + "-" + i + ":" + "abcdefghij".repeat((i * 7 + k * 13) % 100);
        }

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            String id = request.queryParameter("id");
            BlockingQueue<Event> events = Recording.events(id == null ? "none" : id);
            return new WebSocketHandler() {
                @Override
                public void onText(WebSocket socket, String text) {
                    String[] parts = text.split(" ");
                    if (parts[0].equals("flood")) {
                        int count = Integer.parseInt(parts[1]);
                        byte[] data = new byte[Integer.parseInt(parts[2])];
                        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
                        for (int i = 0; i < count; i++) {
                            socket.sendBinary(data).whenComplete((ok, error) -> {
                                if (error != null && failed.getAndIncrement() == 0) {
                                    events.add(new Event("sendFailed", 0, String.valueOf(error), System.nanoTime()));
                                }
                            });
                        }
                    } else if (parts[0].equals("burst")) {
                        int threads = Integer.parseInt(parts[1]);
                        int count = Integer.parseInt(parts[2]);
                        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                        for (int k = 0; k < threads; k++) {
                            int thread = k;
                            Thread t = new Thread(() -> {
                                try {
                                    start.await();
                                } catch (InterruptedException e) {
                                    return;
                                }
                                for (int i = 0; i < count; i++) {
                                    socket.sendText(burstMessage(thread, i));
                                }
                            }, "socketlet-it-burst-" + k);
                            t.setDaemon(true);
                            t.start();
                        }
                        start.countDown();
                    }
                }

                @Override
                public void onClose(WebSocket socket, int code, String reason) {
                    events.add(new Event("close", code, reason, System.nanoTime()));
                }
            };
        }
    }
}
