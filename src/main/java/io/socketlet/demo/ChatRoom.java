package io.socketlet.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socketlet.CloseCodes;
import io.socketlet.PreparedMessage;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.rooms.Member;
import io.socketlet.rooms.Offset;
import io.socketlet.rooms.PresenceChange;
import io.socketlet.rooms.Room;
import io.socketlet.rooms.RoomFullException;
import io.socketlet.rooms.RoomListener;
import io.socketlet.rooms.RoomMessage;
import io.socketlet.rooms.RoomOptions;
import io.socketlet.rooms.Rooms;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One chat room, on the {@link Room} API: everyone connected hears every message; who has
 * joined (picked a name) is the room's presence. The wire, one JSON object per text message:
 *
 * <pre>
 * client: {"type":"join","name":"Ada"}            join, or rename when already joined
 *         {"type":"say","text":"hello"}           after a join
 *         ws://.../chat?after=0-41                 on reconnect: the last offset the page got
 * server: {"type":"welcome","id":7,"protocol":"13","subprotocol":"","extensions":[],"server":"...","offset":"0-41",
 *          "count":2,"members":[{"id":3,"name":"Ada"},{"id":5,"name":"Linus"}],"names":["Ada","Linus"],
 *          "limits":{"name":24,"text":500,"members":1000},"resumed":false}
 *         {"type":"joined","offset":"0-42","id":7,"name":"Ada","count":3}
 *         {"type":"renamed","offset":"0-43","id":7,"from":"Ada","name":"Ada L.","count":3}
 *         {"type":"left","offset":"0-44","id":7,"name":"Ada","reason":"closed","count":2}
 *         {"type":"message","offset":"0-45","id":7,"name":"Ada","text":"hello","time":1700000000000}
 *         {"type":"error","error":"..."}
 * </pre>
 *
 * Presence carries the change: the welcome lists who is here once, and each joined, renamed and
 * left event names only the one who changed, so a page keeps the list itself. Names are cleaned
 * here (no control or formatting characters, at most {@value #MAX_NAME} characters) and made
 * unique in the room by the room ({@code Ada}, {@code Ada 2}); messages are cleaned and at most
 * {@value #MAX_TEXT} characters. A client may send {@value #BURST} messages at once, then
 * {@value #PER_SECOND} a second. The room holds at most {@code maxMembers} connections on this
 * node; one more is closed with 1013 (try again later) and a reason saying the room is full.
 *
 * <p>Every event carries its offset in the room's log. A newcomer gets the latest
 * {@value #RECENT} messages after its welcome; a page that reconnects with {@code ?after=} gets
 * exactly what it missed (with a broker that spans nodes, on any node), or the latest messages
 * when the room no longer keeps that far back.
 */
public final class ChatRoom {

    public static final int MAX_NAME = 24;
    public static final int MAX_TEXT = 500;
    public static final int DEFAULT_MAX_MEMBERS = 1000;
    /** Messages a newcomer gets; the room keeps a few more entries (presence changes too) for resuming pages. */
    static final int RECENT = 50;
    static final int BURST = 20;
    static final double PER_SECOND = 5;

    private final Room room;
    private final String serverInfo;

    /** A room of its own, on this node only: for tests and single-node use. */
    public ChatRoom(long maxQueuedBytes, String serverInfo) {
        this(Rooms.inMemory(), "chat", maxQueuedBytes, DEFAULT_MAX_MEMBERS, serverInfo);
    }

    public ChatRoom(long maxQueuedBytes, int maxMembers, String serverInfo) {
        this(Rooms.inMemory(), "chat", maxQueuedBytes, maxMembers, serverInfo);
    }

    /**
     * @param rooms          the application's rooms (in-JVM, or spanning nodes)
     * @param maxQueuedBytes a client with more than this queued is closed with 1008 (keep it
     *                       below the endpoint's {@code maxBufferedBytes})
     * @param maxMembers     the most connections in the room on this node
     * @param serverInfo     shown in the welcome, e.g. the container's name and version
     */
    public ChatRoom(Rooms rooms, String roomName, long maxQueuedBytes, int maxMembers, String serverInfo) {
        this.serverInfo = serverInfo;
        this.room = rooms.room(roomName, RoomOptions.defaults().maxMembers(maxMembers).maxQueuedBytes(maxQueuedBytes)
                .maxNameLength(MAX_NAME).history(4 * RECENT), new Rendering());
    }

    /** A handler for one new connection. */
    public WebSocketHandler connect() {
        return new Client();
    }

    /** The names of who has joined, in joining order, as the room's next task sees them. */
    public CompletableFuture<List<String>> names() {
        return room.membersLater().thenApply(members -> members.stream().filter(Member::isNamed).map(Member::name).toList());
    }

    /** Every connection that hears the room on this node (joined or only watching). */
    public int listeners() {
        return room.localCount();
    }

    Room room() {
        return room;
    }

    /** What members receive for each entry of the room's log, on every node. */
    private static final class Rendering implements RoomListener {
        @Override
        public PreparedMessage onMessage(Room room, RoomMessage message) {
            // Published as {"type":"message","id":..,...}: the name is the one the log gave that
            // member, as of this message, so every node shows the same.
            ObjectNode out = Json.parseOwn(message.asText());
            Member author = room.member(out.path("id").asLong());
            if (author == null || !author.isNamed()) {
                return null; // left (or never joined) before its message came round
            }
            return Json.stamped(message.offset(), out.put("name", author.name()));
        }

        @Override
        public PreparedMessage onPresence(Room room, PresenceChange change) {
            Member before = change.before();
            Member after = change.after();
            ObjectNode event;
            if (after != null && after.isNamed() && (before == null || !before.isNamed())) {
                event = Json.object("joined").put("id", after.id()).put("name", after.name());
            } else if (after != null && after.isNamed()) {
                event = Json.object("renamed").put("id", after.id()).put("from", before.name()).put("name", after.name());
            } else if (after == null && before.isNamed()) {
                // The reason says how: "closed", "too slow", "node gone" (its server died)...
                event = Json.object("left").put("id", before.id()).put("name", before.name())
                        .put("reason", change.reason() == null ? "" : change.reason());
            } else {
                return null; // a watcher came or went: not news in a chat
            }
            return Json.stamped(change.offset(), event.put("count", room.namedCount()));
        }
    }

    private final class Client extends JsonConnection {
        /** Whether this client asked to join; callbacks are serial, so no lock. */
        private boolean joinSent;

        Client() {
            super(new RateLimit(PER_SECOND, BURST));
        }

        @Override
        public void onOpen(WebSocket socket) {
            Offset after = Offset.parse(socket.handshake() == null ? null : socket.handshake().queryParameter("after"));
            try {
                room.join(socket, membership -> welcome(membership, after));
            } catch (RoomFullException full) {
                socket.close(CloseCodes.TRY_AGAIN_LATER, "The room is full: " + full.maxMembers() + " people, the most it takes").exceptionally(ignored -> null);
            }
        }

        private void welcome(io.socketlet.rooms.Membership membership, Offset after) {
            ObjectNode welcome = Json.welcome("chat", membership.id(), membership.socket(), serverInfo);
            if (!room.lastOffset().equals(Offset.ZERO)) {
                welcome.put("offset", room.lastOffset().toString());
            }
            welcome.put("count", room.namedCount());
            ArrayNode members = welcome.putArray("members");
            ArrayNode names = welcome.putArray("names");
            for (Member m : room.members()) {
                if (m.isNamed()) {
                    members.addObject().put("id", m.id()).put("name", m.name());
                    names.add(m.name());
                }
            }
            welcome.putObject("limits").put("name", MAX_NAME).put("text", MAX_TEXT).put("members", room.options().maxMembers());
            boolean resumed = membership.canReplayAfter(after);
            welcome.put("resumed", resumed);
            membership.send(Json.write(welcome));
            if (resumed) {
                membership.replayAfter(after);
            } else {
                membership.replayLatest(RECENT);
            }
        }

        @Override
        void handle(WebSocket socket, String type, ObjectNode message) throws BadMessage {
            switch (type) {
                case "join" -> {
                    String name = CleanText.name(Json.requiredString(message, "name"), MAX_NAME);
                    if (name.isEmpty()) {
                        throw BadMessage.reply("A name needs at least one visible character");
                    }
                    joinSent = true;
                    room.name(socket, name);
                }
                case "say" -> {
                    if (!joinSent) {
                        throw BadMessage.reply("Join first: {\"type\":\"join\",\"name\":\"...\"}");
                    }
                    String text = CleanText.message(Json.requiredString(message, "text"));
                    if (text.isEmpty()) {
                        throw BadMessage.reply("Empty message");
                    }
                    int length = CleanText.length(text);
                    if (length > MAX_TEXT) {
                        throw BadMessage.reply("Message too long: " + length + " characters, at most " + MAX_TEXT);
                    }
                    room.execute(() -> {
                        var membership = room.membership(socket);
                        if (membership != null) {
                            room.broadcast(Json.write(Json.object("message").put("id", membership.id())
                                    .put("text", text).put("time", System.currentTimeMillis())));
                        }
                    });
                }
                default -> throw BadMessage.reply("Unknown type \"" + CleanText.name(type, 24)
                        + "\": the chat takes \"join\" and \"say\"");
            }
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
