package io.socketlet.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socketlet.CloseCodes;
import io.socketlet.PreparedMessage;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.rooms.Membership;
import io.socketlet.rooms.Offset;
import io.socketlet.rooms.PresenceChange;
import io.socketlet.rooms.Room;
import io.socketlet.rooms.RoomFullException;
import io.socketlet.rooms.RoomListener;
import io.socketlet.rooms.RoomMessage;
import io.socketlet.rooms.RoomOptions;
import io.socketlet.rooms.Rooms;

/**
 * One shared canvas, on the {@link Room} API: every stroke segment a client draws goes to every
 * other client at once and into a bounded {@link StrokeHistory}, which a client gets when it
 * connects. The wire:
 *
 * <pre>
 * client: {"type":"stroke","sid":"a7","color":"#1e90ff","width":6,"points":[[0.1,0.2],...]}  (see {@link StrokeSegment})
 *         {"type":"clear"}
 *         ws://.../canvas?after=1700000000000-41&was=3                on reconnect: the last offset the page got, its former id
 * server: {"type":"welcome","id":3,"protocol":"13",...,"count":2,"offset":"...","resumed":false,
 *          "limits":{"points":256,"width":64,"historyPoints":20000,"members":1000}}
 *         {"type":"history","offset":"...","segments":[...],"points":N,"maxPoints":M,"trimmed":T}  after the welcome, unless resumed
 *         {"type":"stroke","offset":"...","id":3,"sid":"3.a7",...}                          to everyone but its author
 *         {"type":"clear","offset":"...","id":3}                                            to everyone, its author too
 *         {"type":"trimmed","trimmed":T,"maxPoints":M}                                      when the history first drops old segments
 *         {"type":"presence","offset":"...","count":2}                                      when someone comes or goes
 *         {"type":"error","error":"..."}
 * </pre>
 *
 * A client may send {@value #BURST} messages at once, then {@value #PER_SECOND} a second (a pen
 * sends about 25 segments a second). Strokes and clears go through the room's log, and every
 * node applies them to its own history in the log's order, so a newcomer on any node gets the
 * same picture, and the strokes after it with no gap and no duplicate. A page that reconnects
 * with the offset of the last thing it got receives only what it missed, if the room still keeps
 * it, else the whole picture again; what it missed includes the strokes it drew itself after that
 * offset (they go to everyone but their author), unless it says who it was ({@code was}, its id
 * before): then they are left out, as they were live, since the page has drawn them already. The board holds at most {@code maxMembers} pages on this
 * node; one more is closed with 1013 and a reason.
 */
public final class CanvasBoard {

    public static final int DEFAULT_HISTORY_POINTS = 20_000;
    public static final int DEFAULT_MAX_MEMBERS = 1000;
    static final int BURST = 400;
    static final double PER_SECOND = 200;
    /** Log entries the room keeps for pages that resume (a second or so of several people drawing). */
    static final int RESUME_ENTRIES = 2_000;

    private final Room room;
    private final String serverInfo;
    /** Room order: the picture since the last clear. */
    private final StrokeHistory history;
    /** Room order: whether the "trimmed" notice went out since the last clear. */
    private boolean trimNoticeSent;

    /** A board of its own, on this node only: for tests and single-node use. */
    public CanvasBoard(long maxQueuedBytes, int historyPoints, String serverInfo) {
        this(maxQueuedBytes, historyPoints, DEFAULT_MAX_MEMBERS, serverInfo);
    }

    public CanvasBoard(long maxQueuedBytes, int historyPoints, int maxMembers, String serverInfo) {
        this(Rooms.inMemory(), "canvas", maxQueuedBytes, historyPoints, maxMembers, serverInfo);
    }

    /**
     * @param rooms          the application's rooms (in-JVM, or spanning nodes)
     * @param maxQueuedBytes a client with more than this queued is closed with 1008
     * @param historyPoints  the most points the history keeps
     * @param maxMembers     the most pages on this node
     * @param serverInfo     shown in the welcome
     */
    public CanvasBoard(Rooms rooms, String roomName, long maxQueuedBytes, int historyPoints, int maxMembers, String serverInfo) {
        this.history = new StrokeHistory(historyPoints);
        this.serverInfo = serverInfo;
        this.room = rooms.room(roomName, RoomOptions.defaults().maxMembers(maxMembers).maxQueuedBytes(maxQueuedBytes)
                .history(RESUME_ENTRIES), new Picture());
    }

    /** A handler for one new connection. */
    public WebSocketHandler connect() {
        return new Client();
    }

    Room room() {
        return room;
    }

    /** The log, applied to this node's picture, in order; and what the pages here receive. */
    private final class Picture implements RoomListener {
        @Override
        public PreparedMessage onMessage(Room room, RoomMessage message) {
            ObjectNode event = Json.parseOwn(message.asText());
            switch (event.path("type").asText()) {
                case "stroke" -> {
                    PreparedMessage out = Json.stamped(message.offset(), event);
                    int dropped = history.add(out.text(), event.path("points").size());
                    if (dropped > 0 && !trimNoticeSent) {
                        trimNoticeSent = true;
                        room.sendLocally(PreparedMessage.text(Json.write(Json.object("trimmed")
                                .put("trimmed", history.trimmed()).put("maxPoints", history.maxPoints()))));
                    }
                    return out;
                }
                case "clear" -> {
                    history.clear();
                    trimNoticeSent = false;
                    return Json.stamped(message.offset(), event);
                }
                default -> {
                    return null;
                }
            }
        }

        @Override
        public PreparedMessage onPresence(Room room, PresenceChange change) {
            if (change.before() != null && change.after() != null) {
                return null; // a rename: the canvas shows no names
            }
            return Json.stamped(change.offset(), Json.object("presence").put("count", room.memberCount()));
        }
    }

    private final class Client extends JsonConnection {

        Client() {
            super(new RateLimit(PER_SECOND, BURST));
        }

        @Override
        public void onOpen(WebSocket socket) {
            Offset after = Offset.parse(socket.handshake() == null ? null : socket.handshake().queryParameter("after"));
            long was = formerId(socket);
            try {
                room.join(socket, membership -> welcome(membership, after, was));
            } catch (RoomFullException full) {
                socket.close(CloseCodes.TRY_AGAIN_LATER, "The canvas is full: " + full.maxMembers() + " pages, the most it takes").exceptionally(ignored -> null);
            }
        }

        private void welcome(Membership membership, Offset after, long was) {
            boolean resumed = membership.canReplayAfter(after);
            // The newcomer's own arrival is the log's next entry: count it already.
            ObjectNode welcome = Json.welcome("canvas", membership.id(), membership.socket(), serverInfo)
                    .put("count", room.memberCount() + 1).put("resumed", resumed);
            if (!room.lastOffset().equals(Offset.ZERO)) {
                welcome.put("offset", room.lastOffset().toString());
            }
            welcome.putObject("limits").put("points", StrokeSegment.MAX_POINTS).put("width", StrokeSegment.MAX_WIDTH)
                    .put("historyPoints", history.maxPoints()).put("members", room.options().maxMembers());
            membership.send(Json.write(welcome));
            if (resumed) {
                membership.replayAfter(after, was);
            } else {
                membership.send(history.toJson(room.lastOffset()));
            }
        }

        @Override
        void handle(WebSocket socket, String type, ObjectNode message) throws BadMessage {
            switch (type) {
                case "stroke" -> {
                    StrokeSegment segment = StrokeSegment.parse(message);
                    publishAs(socket, id -> segment.toJson(id), true);
                }
                case "clear" -> publishAs(socket, id -> Json.object("clear").put("id", id), false);
                default -> throw BadMessage.reply("Unknown type \"" + CleanText.name(type, 24)
                        + "\": the canvas takes \"stroke\" and \"clear\"");
            }
        }

        /** Broadcasts the event made with the member's id (to everyone but its author, when {@code notToAuthor}). */
        private void publishAs(WebSocket socket, java.util.function.LongFunction<ObjectNode> event, boolean notToAuthor) {
            room.execute(() -> {
                Membership membership = room.membership(socket);
                if (membership != null) { // else dropped meanwhile
                    room.broadcast(Json.write(event.apply(membership.id())), notToAuthor ? socket : null);
                }
            });
        }

        @Override
        void reply(WebSocket socket, String json) {
            room.send(socket, json);
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            room.leave(socket, "closed");
        }
    }
}
