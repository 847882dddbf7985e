package io.socketlet.rooms.redis;

import io.socketlet.rooms.Member;
import io.socketlet.rooms.Offset;
import io.socketlet.rooms.PresenceChange;
import io.socketlet.rooms.RoomEntry;
import io.socketlet.rooms.RoomMessage;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Room log entries to and from the fields of a Redis stream entry (see {@link RedisScripts} for the fields). */
final class LogEntries {

    private LogEntries() {
    }

    static Map<String, byte[]> fields(RoomMessage message, String uniqueId) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put("k", bytes("m"));
        fields.put("x", bytes(Long.toString(message.except())));
        fields.put("t", bytes(message.text() ? "1" : "0"));
        fields.put("d", message.payload());
        fields.put("u", bytes(uniqueId));
        return fields;
    }

    /** The publisher's unique id of a message entry, or null. */
    static String uniqueId(Map<String, byte[]> fields) {
        byte[] u = fields.get("u");
        return u == null ? null : string(u);
    }

    /** The entry, or null for one this code does not know (a newer node's, say). */
    static RoomEntry entry(String id, Map<String, byte[]> fields) {
        Offset offset = Offset.parse(id);
        String kind = string(fields.get("k"));
        if (offset == null || kind == null) {
            return null;
        }
        try {
            if (kind.equals("m")) {
                byte[] data = fields.get("d");
                return new RoomMessage(offset, Long.parseLong(string(fields.get("x"))), "1".equals(string(fields.get("t"))),
                        data == null ? new byte[0] : data);
            }
            if (kind.equals("p")) {
                String reason = string(fields.get("r"));
                return new PresenceChange(offset, member(string(fields.get("b"))), member(string(fields.get("a"))),
                        reason == null ? "" : reason);
            }
        } catch (RuntimeException e) {
            return null; // malformed: not written by this code
        }
        return null;
    }

    /** {@code ""} for none, {@code id}, or {@code id:name}. */
    static Member member(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        int colon = text.indexOf(':');
        return colon < 0 ? new Member(Long.parseLong(text), null)
                : new Member(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
    }

    /** A member from the members hash: its id, and {@code node TAB joinId [TAB key TAB name]}. */
    static Member member(String id, String value) {
        String[] f = value.split("\t", 4);
        return new Member(Long.parseLong(id), f.length == 4 ? f[3] : null);
    }

    /** When the member joined, as the stream id of its join (orders a snapshot as people came). */
    static Offset joined(String value) {
        String[] f = value.split("\t", 4);
        Offset joined = f.length > 1 ? Offset.parse(f[1]) : null;
        return joined == null ? Offset.ZERO : joined;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
