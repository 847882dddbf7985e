package io.socketlet.internal.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 7230 header scanners for the handshake: one pass, linear in the header's length, no
 * regular expressions, so a hostile header costs no more than its size.
 *
 * <p>Lists follow RFC 7230 section 7: "a recipient MUST parse and ignore a reasonable number of
 * empty list elements" (here any number: skipping them costs one step each), and OWS (spaces
 * and tabs) may surround every comma.
 * A {@code null} value, an absent header, is an empty list.
 */
public final class HeaderTokens {

    private final String text;
    private int pos;

    private HeaderTokens(String text) {
        this.text = text;
    }

    /**
     * Splits a comma-separated {@code #token} list (Connection, Upgrade, Sec-WebSocket-Protocol):
     * OWS trimmed, empty list elements skipped. An element is {@code token ["/" token]}, the
     * Upgrade header's {@code protocol-name ["/" protocol-version]}.
     *
     * @return the elements as sent, unmodifiable; empty for a null value; null if an element is
     *     not a valid token
     */
    public static List<String> tokenList(String value) {
        if (value == null) {
            return List.of();
        }
        HeaderTokens in = new HeaderTokens(value);
        List<String> out = new ArrayList<>();
        while (in.nextElement()) {
            int start = in.pos;
            if (!in.skipToken()) {
                return null;
            }
            if (in.take('/') && !in.skipToken()) {
                return null;
            }
            out.add(value.substring(start, in.pos));
            if (!in.endOfElement()) {
                return null;
            }
        }
        return List.copyOf(out);
    }

    /**
     * Splits a comma-separated list whose elements need not be tokens (such as a list of origins
     * in a setting): OWS trimmed, empty list elements skipped, the elements' own syntax left to
     * the caller. A null value is an empty list.
     */
    public static List<String> elements(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        HeaderTokens in = new HeaderTokens(value);
        while (in.nextElement()) {
            int start = in.pos;
            while (in.pos < value.length() && value.charAt(in.pos) != ',') {
                in.pos++;
            }
            int end = in.pos;
            while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
                end--;
            }
            out.add(value.substring(start, end));
        }
        return List.copyOf(out);
    }

    /** Whether the text is one RFC 7230 token ({@code 1*tchar}), as a subprotocol name must be. */
    public static boolean isToken(String text) {
        HeaderTokens in = new HeaderTokens(text);
        return in.skipToken() && in.pos == text.length();
    }

    /**
     * Whether the list contains the token, ASCII case-insensitively: RFC 6455 section 4.2.1
     * wants "Upgrade" and "websocket" each "treated as an ASCII case-insensitive value". False if
     * the value is null or malformed.
     */
    public static boolean containsToken(String value, String token) {
        List<String> list = tokenList(value);
        if (list == null) {
            return false;
        }
        for (String element : list) {
            if (asciiEqualsIgnoreCase(element, token)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses Sec-WebSocket-Extensions (RFC 6455 section 9.1):
     * {@code extension *( ";" param )}, {@code param = token [ "=" (token | quoted-string) ]},
     * with OWS allowed around every separator. Quoted values are returned unquoted, backslash
     * escapes resolved; RFC 6455 asks that such a value be a token once unquoted, which is left
     * to the extension that reads it. Several header lines are passed joined by ", ".
     *
     * @return the offers in the order sent, unmodifiable; empty for a null value; null if
     *     malformed (a character not allowed where it stands, an unterminated quote, an empty
     *     extension or parameter name, a "=" without a value)
     */
    public static List<ExtensionOffer> extensions(String value) {
        if (value == null) {
            return List.of();
        }
        HeaderTokens in = new HeaderTokens(value);
        List<ExtensionOffer> out = new ArrayList<>();
        while (in.nextElement()) {
            String name = in.token();
            if (name == null) {
                return null;
            }
            List<ExtensionOffer.Parameter> parameters = new ArrayList<>();
            in.skipOws();
            while (in.take(';')) {
                in.skipOws();
                String parameter = in.token();
                if (parameter == null) {
                    return null;
                }
                in.skipOws();
                String parameterValue = null;
                if (in.take('=')) {
                    in.skipOws();
                    parameterValue = in.peek() == '"' ? in.quotedString() : in.token();
                    if (parameterValue == null) {
                        return null;
                    }
                    in.skipOws();
                }
                parameters.add(new ExtensionOffer.Parameter(parameter, parameterValue));
            }
            if (!in.endOfElement()) {
                return null;
            }
            out.add(new ExtensionOffer(name, parameters));
        }
        return List.copyOf(out);
    }

    /** Skips OWS and empty list elements; true if an element starts here, false at the end. */
    private boolean nextElement() {
        while (true) {
            skipOws();
            if (pos == text.length()) {
                return false;
            }
            if (!take(',')) {
                return true;
            }
        }
    }

    /** After an element: OWS, then the end or a comma (consumed). False if anything else follows. */
    private boolean endOfElement() {
        skipOws();
        return pos == text.length() || take(',');
    }

    private void skipOws() {
        // "OWS = *( SP / HTAB )"
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    /** Consumes c if it is next. */
    private boolean take(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** The next char, or 0 at the end. */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    /** Consumes "1*tchar"; false if no tchar is next. */
    private boolean skipToken() {
        int start = pos;
        while (pos < text.length() && isTchar(text.charAt(pos))) {
            pos++;
        }
        return pos > start;
    }

    /** Consumes a token and returns it, or null if no tchar is next. */
    private String token() {
        int start = pos;
        return skipToken() ? text.substring(start, pos) : null;
    }

    /**
     * Consumes {@code DQUOTE *( qdtext / quoted-pair ) DQUOTE} (RFC 7230 section 3.2.6) and
     * returns its content with each quoted-pair replaced by the char it escapes; null if a char
     * is not allowed or the closing quote is missing.
     */
    private String quotedString() {
        pos++; // the opening DQUOTE
        StringBuilder content = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return content.toString();
            }
            if (c == '\\') {
                // "quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )"
                if (pos == text.length() || !isQuotable(text.charAt(pos))) {
                    return null;
                }
                content.append(text.charAt(pos++));
            } else if (isQdtext(c)) {
                content.append(c);
            } else {
                return null;
            }
        }
        return null;
    }

    /** "tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA" */
    private static boolean isTchar(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
                return true;
            default:
                return false;
        }
    }

    /** "qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text"; obs-text is %x80-FF, a header read as ISO-8859-1. */
    private static boolean isQdtext(char c) {
        return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)
                || (c >= 0x80 && c <= 0xFF);
    }

    private static boolean isQuotable(char c) {
        return c == '\t' || (c >= 0x20 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
    }

    private static boolean asciiEqualsIgnoreCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && asciiLower(x) != asciiLower(y)) {
                return false;
            }
        }
        return true;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
