package io.socketlet.demo;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * Makes text from a client fit to show to others: no control or formatting characters (no
 * bidi overrides, zero-width tricks or terminal escapes), whitespace collapsed, a bounded
 * length. The page inserts text with {@code textContent}, so markup is shown as typed and needs
 * no escaping here.
 */
final class CleanText {

    private static final int ZERO_WIDTH_JOINER = 0x200D; // kept: it holds emoji sequences together

    private CleanText() {
    }

    /** A display name: one line, inner whitespace collapsed, at most {@code maxCodePoints}; may come back empty. */
    static String name(String raw, int maxCodePoints) {
        return truncate(collapse(raw, false), maxCodePoints);
    }

    /**
     * A chat message: newlines kept (at most one blank line in a row), other whitespace runs
     * collapsed, trimmed; may come back empty. Not truncated: the caller refuses what is too long.
     */
    static String message(String raw) {
        return collapse(raw, true);
    }

    static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    /** At most {@code maxCodePoints} code points, never cutting a surrogate pair. */
    static String truncate(String text, int maxCodePoints) {
        if (length(text) <= maxCodePoints) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, maxCodePoints)).strip();
    }

    /** A close reason: at most 123 bytes of UTF-8 (RFC 6455 5.5: control payloads are at most 125 bytes). */
    static String closeReason(String text) {
        String t = truncate(text, 123);
        while (t.getBytes(StandardCharsets.UTF_8).length > 123) {
            t = t.substring(0, t.offsetByCodePoints(0, length(t) - 1));
        }
        return t;
    }

    private static String collapse(String raw, boolean keepNewlines) {
        String text = Normalizer.normalize(raw, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingSpace = false;
        int pendingNewlines = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean newline = cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85;
            if (newline && keepNewlines) {
                if (cp == '\r' && i < text.length() && text.charAt(i) == '\n') {
                    i++;
                }
                pendingNewlines++;
                pendingSpace = false;
                continue;
            }
            if (newline || Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = true;
                continue;
            }
            if (!visible(cp)) {
                continue;
            }
            if (out.length() > 0) {
                if (pendingNewlines > 0) {
                    out.append(pendingNewlines > 1 ? "\n\n" : "\n");
                } else if (pendingSpace) {
                    out.append(' ');
                }
            }
            pendingSpace = false;
            pendingNewlines = 0;
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    private static boolean visible(int cp) {
        if (cp == ZERO_WIDTH_JOINER) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED -> false;
            default -> true;
        };
    }
}
