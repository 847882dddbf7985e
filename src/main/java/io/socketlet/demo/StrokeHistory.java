package io.socketlet.demo;

import java.util.ArrayDeque;

/**
 * The shared canvas's picture, as the segments drawn since the last clear, bounded: past
 * {@code maxPoints} points (or {@link #MAX_CHARS} characters of JSON, whichever comes first) the
 * oldest segments are dropped, and the history says how many were. Segments are kept as the JSON
 * text already sent live, so a newcomer's history costs no new serialization.
 *
 * <p>Not thread-safe: the board uses it in its room's order only.
 */
final class StrokeHistory {

    /** A bound on the history message's size, whatever the points limit. */
    static final int MAX_CHARS = 1 << 20;

    private record Entry(String json, int points) {
    }

    private final int maxPoints;
    private final int maxChars;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private int points;
    private long chars;
    private long trimmed;

    StrokeHistory(int maxPoints) {
        this(maxPoints, MAX_CHARS);
    }

    StrokeHistory(int maxPoints, int maxChars) {
        if (maxPoints < 1 || maxChars < 1) {
            throw new IllegalArgumentException("history limits must be positive");
        }
        this.maxPoints = maxPoints;
        this.maxChars = maxChars;
    }

    /**
     * Adds a segment (its JSON object text and its number of points) and drops the oldest ones
     * past the limits; returns how many were dropped. The newest segment always stays.
     */
    int add(String segmentJson, int segmentPoints) {
        entries.addLast(new Entry(segmentJson, segmentPoints));
        points += segmentPoints;
        chars += segmentJson.length();
        int dropped = 0;
        while (entries.size() > 1 && (points > maxPoints || chars > maxChars)) {
            Entry old = entries.removeFirst();
            points -= old.points();
            chars -= old.json().length();
            dropped++;
        }
        trimmed += dropped;
        return dropped;
    }

    /** Starts a blank picture; the count of trimmed segments starts again too. */
    void clear() {
        entries.clear();
        points = 0;
        chars = 0;
        trimmed = 0;
    }

    int segments() {
        return entries.size();
    }

    int points() {
        return points;
    }

    int maxPoints() {
        return maxPoints;
    }

    /** Segments dropped since the last clear. */
    long trimmed() {
        return trimmed;
    }

    String toJson() {
        return toJson(null);
    }

    /**
     * {@code {"type":"history","offset":"...","segments":[...],"points":N,"maxPoints":M,"trimmed":T}},
     * segments oldest first, the offset of the room's log it reflects (left out when null or zero).
     * Built by joining the stored JSON objects, each already valid JSON.
     */
    String toJson(io.socketlet.rooms.Offset offset) {
        StringBuilder out = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 64, chars + entries.size() + 128));
        out.append("{\"type\":\"history\",");
        if (offset != null && !offset.equals(io.socketlet.rooms.Offset.ZERO)) {
            out.append("\"offset\":\"").append(offset).append("\",");
        }
        out.append("\"segments\":[");
        boolean first = true;
        for (Entry e : entries) {
            if (!first) {
                out.append(',');
            }
            out.append(e.json());
            first = false;
        }
        out.append("],\"points\":").append(points)
                .append(",\"maxPoints\":").append(maxPoints)
                .append(",\"trimmed\":").append(trimmed)
                .append('}');
        return out.toString();
    }
}
