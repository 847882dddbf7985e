package io.socketlet.rooms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who is in one room and which names are taken: the rules a broker applies to
 * {@link PresenceRequest}s, in the room's order. Names are unique ignoring case; a taken name
 * gets " 2", " 3"... (cut to fit {@code maxNameLength}). Every lookup is one map access, so a
 * join costs the same in a room of two and of two thousand. Not thread-safe: a broker applies
 * requests one at a time. The Redis broker applies the same rules in a Lua script.
 */
public final class PresenceBook {

    /** In joining order. */
    private final LinkedHashMap<Long, Member> members = new LinkedHashMap<>();
    /** Lower-case name to the id of the member holding it. */
    private final Map<String, Long> names = new HashMap<>();

    /**
     * Applies a request; returns the change at that offset, or null when nothing changed.
     *
     * @param request the join, name or leave to apply
     * @param offset the place the broker gives the change in the log
     * @return the change, or null when nothing changed (a second join, the name the member has already, a leave of someone absent)
     */
    public PresenceChange apply(PresenceRequest request, Offset offset) {
        Member current = members.get(request.memberId());
        switch (request.kind()) {
            case JOIN -> {
                if (current != null) {
                    return null;
                }
                Member joined = new Member(request.memberId(), null);
                members.put(joined.id(), joined);
                return new PresenceChange(offset, null, joined, "");
            }
            case NAME -> {
                String name = unique(request.name(), request.memberId(), request.maxNameLength());
                if (current != null && name.equals(current.name())) {
                    return null;
                }
                if (current != null && current.name() != null) {
                    names.remove(key(current.name()));
                }
                names.put(key(name), request.memberId());
                Member named = new Member(request.memberId(), name);
                members.put(named.id(), named); // a rename keeps the member's place
                return new PresenceChange(offset, current, named, "");
            }
            case LEAVE -> {
                if (current == null) {
                    return null;
                }
                members.remove(current.id());
                if (current.name() != null) {
                    names.remove(key(current.name()));
                }
                return new PresenceChange(offset, current, null, request.reason());
            }
            default -> throw new IllegalArgumentException(String.valueOf(request.kind()));
        }
    }

    /**
     * Starts again from what a broker's server says is the room's presence.
     *
     * @param everyone the members in joining order; replaces the book's whole content
     */
    public void reset(List<Member> everyone) {
        members.clear();
        names.clear();
        for (Member m : everyone) {
            members.put(m.id(), m);
            if (m.name() != null) {
                names.put(key(m.name()), m.id());
            }
        }
    }

    /**
     * Follows a change someone else applied (another node, through the broker's server).
     *
     * @param change a change placed in the room's log
     */
    public void follow(PresenceChange change) {
        if (change.before() != null) {
            members.remove(change.before().id());
            if (change.before().name() != null) {
                names.remove(key(change.before().name()));
            }
        }
        if (change.after() != null) {
            members.put(change.after().id(), change.after());
            if (change.after().name() != null) {
                names.put(key(change.after().name()), change.after().id());
            }
        }
    }

    /**
     * What a server-side script needs to apply {@link #unique}'s rule itself: the wanted name cut
     * to {@code maxLength}, and cut for a suffix of 2, 3 and 4 characters ({@code " 2"},
     * {@code " 10"}, {@code " 100"}), each followed by its lower-case key.
     *
     * @param wanted the name asked for
     * @param maxLength the room's {@link RoomOptions#maxNameLength()}
     * @return eight strings: four names, each followed by its lower-case key
     */
    public static List<String> nameCandidates(String wanted, int maxLength) {
        String base = truncate(wanted == null ? "" : wanted.strip(), maxLength);
        List<String> out = new ArrayList<>(8);
        out.add(base);
        out.add(key(base));
        for (int suffix = 2; suffix <= 4; suffix++) {
            String cut = truncate(base, maxLength - suffix);
            out.add(cut);
            out.add(key(cut));
        }
        return out;
    }

    /**
     * Everyone, in joining order.
     *
     * @return a copy, possibly empty
     */
    public List<Member> members() {
        return new ArrayList<>(members.values());
    }

    /** The wanted name (cut to the limit), or with " 2", " 3"... when another member holds it. */
    private String unique(String wanted, long self, int maxLength) {
        String base = truncate(wanted == null ? "" : wanted.strip(), maxLength);
        String name = base;
        for (int n = 2; isTakenByAnother(name, self); n++) {
            String suffix = " " + n;
            name = truncate(base, maxLength - suffix.length()) + suffix;
        }
        return name;
    }

    private boolean isTakenByAnother(String name, long self) {
        Long holder = names.get(key(name));
        return holder != null && holder != self;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** At most {@code max} code points, never cutting a surrogate pair, no trailing space. */
    static String truncate(String text, int max) {
        if (text.codePointCount(0, text.length()) <= max) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, Math.max(0, max))).strip();
    }
}
