package io.socketlet.hostile;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.server.WebSocketServlet;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hostile suite's endpoint, written against the public API only. It records what the
 * application sees per connection (the {@code id} query parameter) and acts on commands:
 * {@code flood <count> <size>} sends that many binary messages at once and records the largest
 * {@code bufferedAmount()} seen and the first failed send; {@code close <code> <reason>} starts
 * the closing handshake; any other text is echoed, binary too.
 */
public class Probe extends WebSocketServlet {
    private static final long serialVersionUID = 1L;

    /** One callback seen by the application. */
    record Event(String type, int code, String detail, long atNanos) {
        @Override
        public String toString() {
            return type + (type.equals("close") ? "(" + code + ", '" + detail + "')" : detail.isEmpty() ? "" : "(" + detail + ")");
        }
    }

    /** What one connection's application saw. */
    static final class Record {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final AtomicLong maxBuffered = new AtomicLong();
        final AtomicInteger sendsAccepted = new AtomicInteger();
        final AtomicInteger sendsFailed = new AtomicInteger();
        volatile long openedNanos;

        /** The next event of this type within the timeout, or null; other events are kept in order before it. */
        Event await(String type, long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (true) {
                for (Event e : events) {
                    if (e.type().equals(type)) {
                        return e;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    return null;
                }
                Thread.sleep(10);
            }
        }

        @Override
        public String toString() {
            return "events=" + events + " maxBuffered=" + maxBuffered + " sendsAccepted=" + sendsAccepted
                    + " sendsFailed=" + sendsFailed;
        }
    }

    private static final Map<String, Record> RECORDS = new ConcurrentHashMap<>();

    /** The record of the connection that used {@code ?id=<id>}. */
    static Record record(String id) {
        return RECORDS.computeIfAbsent(id, k -> new Record());
    }

    static void forget(String id) {
        RECORDS.remove(id);
    }

    @Override
    protected WebSocketHandler accept(HandshakeRequest request) {
        String id = request.queryParameter("id");
        Record record = id == null ? new Record() : record(id);
        return new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket socket) {
                record.openedNanos = System.nanoTime();
                record.events.add(new Event("open", 0, "", System.nanoTime()));
            }

            @Override
            public void onText(WebSocket socket, String text) {
                if (text.startsWith("flood ")) {
                    String[] p = text.split(" ");
                    flood(socket, Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                } else if (text.startsWith("close ")) {
                    String[] p = text.split(" ", 3);
                    socket.close(Integer.parseInt(p[1]), p.length > 2 ? p[2] : "");
                } else {
                    socket.sendText(text);
                }
            }

            private void flood(WebSocket socket, int count, int size) {
                byte[] data = new byte[size];
                for (int i = 0; i < count; i++) {
                    socket.sendBinary(data).whenComplete((ok, error) -> {
                        if (error == null) {
                            record.sendsAccepted.incrementAndGet();
                        } else if (record.sendsFailed.getAndIncrement() == 0) {
                            record.events.add(new Event("sendFailed", 0, String.valueOf(error), System.nanoTime()));
                        }
                    });
                    record.maxBuffered.accumulateAndGet(socket.bufferedAmount(), Math::max);
                    if (!socket.isOpen()) {
                        record.events.add(new Event("floodStopped", i, "after " + (i + 1) + " sends", System.nanoTime()));
                        return;
                    }
                }
            }

            @Override
            public void onBinary(WebSocket socket, ByteBuffer data) {
                socket.sendBinary(data).whenComplete((ok, error) -> {
                    if (error != null && record.sendsFailed.getAndIncrement() == 0) {
                        record.events.add(new Event("sendFailed", 0, String.valueOf(error), System.nanoTime()));
                    }
                });
                record.maxBuffered.accumulateAndGet(socket.bufferedAmount(), Math::max);
            }

            @Override
            public void onPong(WebSocket socket, ByteBuffer payload) {
                record.events.add(new Event("pong", 0, "", System.nanoTime()));
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                record.events.add(new Event("error", 0, String.valueOf(error), System.nanoTime()));
            }

            @Override
            public void onClose(WebSocket socket, int code, String reason) {
                record.events.add(new Event("close", code, reason, System.nanoTime()));
            }
        };
    }
}
