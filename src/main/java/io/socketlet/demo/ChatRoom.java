package io.socketlet.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One chat room: everyone connected hears every message; who has joined (picked a name) is
 * the room's presence. The wire, one JSON object per text message:
 *
 * <pre>
 * client: {"type":"join","name":"Ada"}            join, or rename when already joined
 *         {"type":"say","text":"hello"}           after a join
 * server: {"type":"welcome","id":7,"protocol":"13","subprotocol":"","extensions":[],"server":"...",
 *          "count":2,"names":["Ada","Linus"],"limits":{"name":24,"text":500}}
 *         {"type":"joined","id":7,"name":"Ada","count":3,"names":[...]}
 *         {"type":"renamed","id":7,"from":"Ada","name":"Ada L.","count":3,"names":[...]}
 *         {"type":"left","id":7,"name":"Ada","count":2,"names":[...]}
 *         {"type":"message","id":7,"name":"Ada","text":"hello","time":1700000000000}
 *         {"type":"error","error":"..."}
 * </pre>
 *
 * Names are cleaned (no control or formatting characters, at most {@value #MAX_NAME} characters)
 * and made unique in the room ({@code Ada}, {@code Ada 2}); messages are cleaned and at most
 * {@value #MAX_TEXT} characters. A client may send {@value #BURST} messages at once, then
 * {@value #PER_SECOND} a second.
 *
 * <p>Every change of the room and every broadcast runs in one {@link SerialQueue}, so all
 * members see events in the same order; the fields marked "serial" are touched only there.
 */
public final class ChatRoom {

    public static final int MAX_NAME = 24;
    public static final int MAX_TEXT = 500;
    static final int BURST = 20;
    static final double PER_SECOND = 5;

    private record Member(long id, String name) {
    }

    private final Hub hub;
    private final String serverInfo;
    private final SerialQueue serial = new SerialQueue();
    private final AtomicLong ids = new AtomicLong();
    /** serial: the members who joined, in joining order. */
    private final Map<WebSocket, Member> joined = new LinkedHashMap<>();
    /** The names present, for readers outside the serial tasks. */
    private volatile List<String> names = List.of();

    /**
     * @param maxBufferedBytes a client with more than this queued is closed with 1008 (keep it
     *                         below the endpoint's {@code maxBufferedBytes})
     * @param serverInfo       shown in the welcome, e.g. the container's name and version
     */
    public ChatRoom(long maxBufferedBytes, String serverInfo) {
        this.hub = new Hub(maxBufferedBytes, socket -> serial.submit(() -> leave(socket)));
        this.serverInfo = serverInfo;
    }

    /** A handler for one new connection. */
    public WebSocketHandler connect() {
        return new Client();
    }

    /** The names of who has joined, in joining order. */
    public List<String> names() {
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
        ObjectNode welcome = Json.welcome("chat", id, socket, serverInfo);
        presence(welcome);
        welcome.putObject("limits").put("name", MAX_NAME).put("text", MAX_TEXT);
        hub.add(socket);
        hub.send(socket, Json.write(welcome));
    }

    private void join(WebSocket socket, long id, String wanted) {
        if (!hub.contains(socket)) {
            return; // closed or dropped before its join was handled
        }
        Member before = joined.get(socket);
        String name = unique(wanted, socket);
        if (before != null && before.name().equals(name)) {
            return; // the same name again: nothing changed
        }
        joined.put(socket, new Member(id, name));
        names = List.copyOf(namesOf());
        ObjectNode event = before == null
                ? Json.object("joined").put("id", id).put("name", name)
                : Json.object("renamed").put("id", id).put("from", before.name()).put("name", name);
        hub.broadcast(Json.write(presence(event)), null);
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
        names = List.copyOf(namesOf());
        ObjectNode event = Json.object("left").put("id", member.id()).put("name", member.name());
        hub.broadcast(Json.write(presence(event)), null);
    }

    private ObjectNode presence(ObjectNode event) {
        event.put("count", joined.size());
        event.set("names", Json.strings(namesOf()));
        return event;
    }

    private List<String> namesOf() {
        List<String> list = new ArrayList<>(joined.size());
        joined.values().forEach(m -> list.add(m.name()));
        return list;
    }

    /** The wanted name, or with " 2", " 3"... when someone else has it (letter case ignored). */
    private String unique(String wanted, WebSocket self) {
        String name = wanted;
        for (int n = 2; taken(name, self); n++) {
            String suffix = " " + n;
            name = CleanText.truncate(wanted, MAX_NAME - suffix.length()) + suffix;
        }
        return name;
    }

    private boolean taken(String name, WebSocket self) {
        String key = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<WebSocket, Member> e : joined.entrySet()) {
            if (e.getKey() != self && e.getValue().name().toLowerCase(Locale.ROOT).equals(key)) {
                return true;
            }
        }
        return false;
    }
}
