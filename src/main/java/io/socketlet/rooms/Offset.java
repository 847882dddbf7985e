package io.socketlet.rooms;

/**
 * A message's place in its room's log: {@code <major>-<minor>}, as in a Redis stream entry id
 * ({@code 1700000000000-3}: milliseconds and a sequence). Offsets of one room only grow, so a
 * client that remembers the last one it got can ask for what came after it. The in-JVM broker
 * counts {@code 0-1}, {@code 0-2}...
 */
public record Offset(long major, long minor) implements Comparable<Offset> {

    /** Before every message. */
    public static final Offset ZERO = new Offset(0, 0);

    /**
     * Checks that both numbers are non-negative.
     *
     * @param major the first number (a Redis stream's milliseconds), zero or more
     * @param minor the second number (the sequence within it), zero or more
     */
    public Offset {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("an offset is two non-negative numbers");
        }
    }

    /**
     * Parses {@code 123-4}; null for anything else (a client may send anything).
     *
     * @param text what a client sent, possibly null
     * @return the offset, or null when the text is not two non-negative numbers joined by {@code -}
     */
    public static Offset parse(String text) {
        if (text == null || text.length() > 41) {
            return null;
        }
        int dash = text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1) {
            return null;
        }
        try {
            long major = Long.parseLong(text, 0, dash, 10);
            long minor = Long.parseLong(text, dash + 1, text.length(), 10);
            return major < 0 || minor < 0 ? null : new Offset(major, minor);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Whether this comes after the other.
     *
     * @param other the offset to compare with, not null
     * @return true when this is strictly later in the log
     */
    public boolean isAfter(Offset other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Offset other) {
        int c = Long.compare(major, other.major);
        return c != 0 ? c : Long.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "-" + minor;
    }
}
