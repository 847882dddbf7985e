package io.socketlet.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socketlet.CloseCodes;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One chat room: everyone connected hears every message; who has joined (picked a name) is
 * the room's presence. The wire, one JSON object per text message:
 *
 * <pre>
 * client: {"type":"join","name":"Ada"}            join, or rename when already joined
 *         {"type":"say","text":"hello"}           after a join
 * server: {"type":"welcome","id":7,"protocol":"13","subprotocol":"","extensions":[],"server":"...",
 *          "count":2,"members":[{"id":3,"name":"Ada"},{"id":5,"name":"Linus"}],"names":["Ada","Linus"],
 *          "limits":{"name":24,"text":500,"members":1000}}
 *         {"type":"joined","id":7,"name":"Ada","count":3}
 *         {"type":"renamed","id":7,"from":"Ada","name":"Ada L.","count":3}
 *         {"type":"left","id":7,"name":"Ada","count":2}
 *         {"type":"message","id":7,"name":"Ada","text":"hello","time":1700000000000}
 *         {"type":"error","error":"..."}
 * </pre>
 *
 * Presence carries the change: the welcome lists who is here once, and each joined, renamed and
 * left event names only the one who changed, so a page keeps the list itself and a join costs
 * every member a few dozen bytes, not the whole list. Names are cleaned (no control or formatting
 * characters, at most {@value #MAX_NAME} characters) and made unique in the room ({@code Ada},
 * {@code Ada 2}) through a map of the names taken; messages are cleaned and at most
 * {@value #MAX_TEXT} characters. A client may send {@value #BURST} messages at once, then
 * {@value #PER_SECOND} a second. The room holds at most {@code maxMembers} connections (joined or
 * watching); one more is closed with 1013 (try again later) and a reason saying the room is full.
 *
 * <p>Every change of the room and every broadcast runs in one {@link SerialQueue}, so all
 * members see events in the same order; the fields marked "serial" are touched only there.
 */
public final class ChatRoom {

    public static final int MAX_NAME = 24;
    public static final int MAX_TEXT = 500;
    public static final int DEFAULT_MAX_MEMBERS = 1000;
    static final int BURST = 20;
    static final double PER_SECOND = 5;

    private record Member(long id, String name) {
    }

    private final Hub hub;
    private final int maxMembers;
    private final String serverInfo;
    private final SerialQueue serial = new SerialQueue();
    private final AtomicLong ids = new AtomicLong();
    /** serial: the members who joined, in joining order. */
    private final Map<WebSocket, Member> joined = new LinkedHashMap<>();
    /** serial: the names taken, in lower case (names are unique ignoring case), and by whom. */
    private final Map<String, WebSocket> taken = new HashMap<>();

    /**
     * @param maxBufferedBytes a client with more than this queued is closed with 1008 (keep it
     *                         below the endpoint's {@code maxBufferedBytes})
     * @param serverInfo       shown in the welcome, e.g. the container's name and version
     */
    public ChatRoom(long maxBufferedBytes, String serverInfo) {
        this(maxBufferedBytes, DEFAULT_MAX_MEMBERS, serverInfo);
    }

    /**
     * @param maxMembers the most connections the room holds; one more is closed with 1013
     */
    public ChatRoom(long maxBufferedBytes, int maxMembers, String serverInfo) {
        if (maxMembers < 1) {
            throw new IllegalArgumentException("maxMembers must be positive");
        }
        this.hub = new Hub(maxBufferedBytes, socket -> serial.submit(() -> leave(socket)));
        this.maxMembers = maxMembers;
        this.serverInfo = serverInfo;
    }

    /** A handler for one new connection. */
    public WebSocketHandler connect() {
        return new Client();
    }

    /**
     * The names of who has joined, in joining order, as the room's next serial task sees them
     * (at once when the room is idle). Costs a copy of the list: for tests and tools, not per event.
     */
    public CompletableFuture<List<String>> names() {
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        serial.submit(() -> names.complete(namesOf()));
        return names;
    }

    /** Every connection that hears the room (joined or only watching). */
    public int listeners() {
        return hub.size();
    }

    Hub hub() {
        return hub;
    }

    private final class Client extends JsonConnection {
        private final long id = ids.incrementAndGet();
        /** Whether this client asked to join; callbacks are serial, so no lock. */
        private boolean joinSent;

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
                case "join" -> {
                    String name = CleanText.name(Json.requiredString(message, "name"), MAX_NAME);
                    if (name.isEmpty()) {
                        throw BadMessage.reply("A name needs at least one visible character");
                    }
                    joinSent = true;
                    serial.submit(() -> join(socket, id, name));
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
                    serial.submit(() -> say(socket, text));
                }
                default -> throw BadMessage.reply("Unknown type \"" + CleanText.name(type, 24)
                        + "\": the chat takes \"join\" and \"say\"");
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
        if (hub.size() >= maxMembers) {
            socket.close(CloseCodes.TRY_AGAIN_LATER, "The room is full: " + maxMembers + " people, the most it takes")
                    .exceptionally(ignored -> null);
            return;
        }
        ObjectNode welcome = Json.welcome("chat", id, socket, serverInfo).put("count", joined.size());
        ArrayNode members = welcome.putArray("members");
        ArrayNode names = welcome.putArray("names");
        joined.values().forEach(m -> {
            members.addObject().put("id", m.id()).put("name", m.name());
            names.add(m.name());
        });
        welcome.putObject("limits").put("name", MAX_NAME).put("text", MAX_TEXT).put("members", maxMembers);
        hub.add(socket);
        hub.send(socket, Json.write(welcome));
    }

    private void join(WebSocket socket, long id, String wanted) {
        if (!hub.contains(socket)) {
            return; // closed, dropped or refused before its join was handled
        }
        Member before = joined.get(socket);
        String name = unique(wanted, socket);
        if (before != null && before.name().equals(name)) {
            return; // the same name again: nothing changed
        }
        if (before != null) {
            taken.remove(key(before.name()));
        }
        taken.put(key(name), socket);
        joined.put(socket, new Member(id, name));
        ObjectNode event = before == null
                ? Json.object("joined").put("id", id).put("name", name)
                : Json.object("renamed").put("id", id).put("from", before.name()).put("name", name);
        hub.broadcast(Json.write(event.put("count", joined.size())), null);
    }

    private void say(WebSocket socket, String text) {
        Member member = joined.get(socket);
        if (member == null) {
            return;
        }
        ObjectNode message = Json.object("message").put("id", member.id()).put("name", member.name())
                .put("text", text).put("time", System.currentTimeMillis());
        hub.broadcast(Json.write(message), null);
    }

    /** Idempotent: called on close and again when the hub dropped the client. */
    private void leave(WebSocket socket) {
        hub.remove(socket);
        Member member = joined.remove(socket);
        if (member == null) {
            return;
        }
        taken.remove(key(member.name()));
        ObjectNode event = Json.object("left").put("id", member.id()).put("name", member.name())
                .put("count", joined.size());
        hub.broadcast(Json.write(event), null);
    }

    private List<String> namesOf() {
        List<String> list = new ArrayList<>(joined.size());
        joined.values().forEach(m -> list.add(m.name()));
        return List.copyOf(list);
    }

    /**
     * The wanted name, or with " 2", " 3"... when someone else has it (letter case ignored). Each
     * try is one map lookup; the room's size bounds the tries.
     */
    private String unique(String wanted, WebSocket self) {
        String name = wanted;
        for (int n = 2; isTakenByAnother(name, self); n++) {
            String suffix = " " + n;
            name = CleanText.truncate(wanted, MAX_NAME - suffix.length()) + suffix;
        }
        return name;
    }

    private boolean isTakenByAnother(String name, WebSocket self) {
        WebSocket holder = taken.get(key(name));
        return holder != null && holder != self;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
