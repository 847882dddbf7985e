package io.socketlet.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socketlet.CloseCodes;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One shared canvas: every stroke segment a client draws goes to every other client at once and
 * into a bounded {@link StrokeHistory}, which a client gets when it connects. The wire:
 *
 * <pre>
 * client: {"type":"stroke","sid":"a7","color":"#1e90ff","width":6,"points":[[0.1,0.2],...]}  (see {@link StrokeSegment})
 *         {"type":"clear"}
 * server: {"type":"welcome","id":3,"protocol":"13",...,"count":2,"limits":{"points":256,"width":64,"historyPoints":20000,"members":1000}}
 *         {"type":"history","segments":[...],"points":N,"maxPoints":M,"trimmed":T}    right after the welcome
 *         {"type":"stroke","id":3,"sid":"3.a7",...}                                 to everyone but its author
 *         {"type":"clear","id":3}                                                   to everyone, its author too
 *         {"type":"trimmed","trimmed":T,"maxPoints":M}                              when the history first drops old segments
 *         {"type":"presence","count":2}                                             when someone comes or goes
 *         {"type":"error","error":"..."}
 * </pre>
 *
 * A client may send {@value #BURST} messages at once, then {@value #PER_SECOND} a second (a pen
 * sends about 25 segments a second). Every change and broadcast runs in one {@link SerialQueue}:
 * a newcomer's history and the strokes after it arrive with no gap and no duplicate. The board
 * holds at most {@code maxMembers} pages; one more is closed with 1013 and a reason.
 */
public final class CanvasBoard {

    public static final int DEFAULT_HISTORY_POINTS = 20_000;
    public static final int DEFAULT_MAX_MEMBERS = 1000;
    static final int BURST = 400;
    static final double PER_SECOND = 200;

    private final Hub hub;
    private final int maxMembers;
    private final String serverInfo;
    private final SerialQueue serial = new SerialQueue();
    private final AtomicLong ids = new AtomicLong();
    /** serial: the picture since the last clear. */
    private final StrokeHistory history;
    /** serial: who is here (the hub may have dropped one before its onClose). */
    private final Set<WebSocket> present = new HashSet<>();
    /** serial: whether the "trimmed" notice went out since the last clear. */
    private boolean trimNoticeSent;

    /**
     * @param maxBufferedBytes a client with more than this queued is closed with 1008
     * @param historyPoints    the most points the history keeps
     * @param serverInfo       shown in the welcome
     */
    public CanvasBoard(long maxBufferedBytes, int historyPoints, String serverInfo) {
        this(maxBufferedBytes, historyPoints, DEFAULT_MAX_MEMBERS, serverInfo);
    }

    /**
     * @param maxMembers the most pages the board holds; one more is closed with 1013
     */
    public CanvasBoard(long maxBufferedBytes, int historyPoints, int maxMembers, String serverInfo) {
        if (maxMembers < 1) {
            throw new IllegalArgumentException("maxMembers must be positive");
        }
        this.hub = new Hub(maxBufferedBytes, socket -> serial.submit(() -> leave(socket)));
        this.history = new StrokeHistory(historyPoints);
        this.maxMembers = maxMembers;
        this.serverInfo = serverInfo;
    }

    /** A handler for one new connection. */
    public WebSocketHandler connect() {
        return new Client();
    }

    Hub hub() {
        return hub;
    }

    private final class Client extends JsonConnection {
        private final long id = ids.incrementAndGet();

        Client() {
            super(new RateLimit(PER_SECOND, BURST));
        }

        @Override
        public void onOpen(WebSocket socket) {
            serial.submit(() -> open(socket, id));
        }

        @Override
        void handle(WebSocket socket, String type, ObjectNode message) throws BadMessage {
            switch (type) {
                case "stroke" -> {
                    StrokeSegment segment = StrokeSegment.parse(message);
                    serial.submit(() -> stroke(socket, id, segment));
                }
                case "clear" -> serial.submit(() -> clear(socket, id));
                default -> throw BadMessage.reply("Unknown type \"" + CleanText.name(type, 24)
                        + "\": the canvas takes \"stroke\" and \"clear\"");
            }
        }

        @Override
        void reply(WebSocket socket, String json) {
            serial.submit(() -> hub.send(socket, json));
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            serial.submit(() -> leave(socket));
        }
    }

    // ---- serial tasks ----

    private void open(WebSocket socket, long id) {
        if (present.size() >= maxMembers) {
            socket.close(CloseCodes.TRY_AGAIN_LATER, "The canvas is full: " + maxMembers + " pages, the most it takes")
                    .exceptionally(ignored -> null);
            return;
        }
        present.add(socket);
        hub.add(socket);
        ObjectNode welcome = Json.welcome("canvas", id, socket, serverInfo).put("count", present.size());
        welcome.putObject("limits").put("points", StrokeSegment.MAX_POINTS).put("width", StrokeSegment.MAX_WIDTH)
                .put("historyPoints", history.maxPoints()).put("members", maxMembers);
        if (hub.send(socket, Json.write(welcome))) {
            hub.send(socket, history.toJson());
        }
        hub.broadcast(presence(), socket);
    }

    private void stroke(WebSocket socket, long id, StrokeSegment segment) {
        if (!present.contains(socket)) {
            return; // dropped meanwhile
        }
        String json = Json.write(segment.toJson(id));
        int dropped = history.add(json, segment.points());
        hub.broadcast(json, socket);
        if (dropped > 0 && !trimNoticeSent) {
            trimNoticeSent = true;
            hub.broadcast(Json.write(Json.object("trimmed").put("trimmed", history.trimmed())
                    .put("maxPoints", history.maxPoints())), null);
        }
    }

    private void clear(WebSocket socket, long id) {
        if (!present.contains(socket)) {
            return;
        }
        history.clear();
        trimNoticeSent = false;
        hub.broadcast(Json.write(Json.object("clear").put("id", id)), null);
    }

    /** Idempotent: called on close and again when the hub dropped the client. */
    private void leave(WebSocket socket) {
        hub.remove(socket);
        if (present.remove(socket)) {
            hub.broadcast(presence(), null);
        }
    }

    private String presence() {
        return Json.write(Json.object("presence").put("count", present.size()));
    }
}
