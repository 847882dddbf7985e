package io.socketlet;

import io.socketlet.internal.protocol.HeaderTokens;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One row of the settings table ({@link SettingsTable}): the init-param name, how its text is
 * read, the default, the rule a value must meet and a one-line description. The builder's typed
 * setters and the init-param parser both go through {@link #check}, so a rule is written once.
 *
 * @param <T> the value's Java type
 */
final class Setting<T> {

    /** How an init-param's text becomes a value. */
    enum Kind {
        /** Bytes: {@code 1024}, {@code 64K}, {@code 16M}, {@code 16MiB}, {@code 1G} (powers of 1024). */
        SIZE,
        /** A whole number, without a unit: {@code 100}; {@code 1K} is refused (it is not a size). */
        COUNT,
        /** {@code 250} (milliseconds), {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
        DURATION,
        /** {@code true}/{@code false}, {@code on}/{@code off}, {@code yes}/{@code no}. */
        BOOL,
        /** Comma-separated, with optional spaces; empty elements are skipped (RFC 7230 section 7). */
        LIST,
        /** One of a fixed set of words, in any case. */
        ENUM
    }

    final String name;
    final Kind kind;
    final T defaultValue;
    /** What the setting does, one line: the README's settings table says the same (WebSocketSettingsTest checks it). */
    final String doc;
    private final Function<String, T> parser;
    private final UnaryOperator<T> rule;
    private final BiConsumer<WebSocketSettings.Builder, T> setter;
    private final Function<WebSocketSettings, T> getter;

    Setting(String name, Kind kind, T defaultValue, Function<String, T> parser, UnaryOperator<T> rule, String doc,
            BiConsumer<WebSocketSettings.Builder, T> setter, Function<WebSocketSettings, T> getter) {
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.rule = rule;
        this.doc = doc;
        this.setter = setter;
        this.getter = getter;
    }

    /**
     * The value to store: validated (and, for collections, copied read-only).
     *
     * @throws IllegalArgumentException naming the setting, if the value breaks its rule
     */
    T check(T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        try {
            return rule.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " " + e.getMessage(), e);
        }
    }

    /**
     * Reads the init-param text and sets it on the builder.
     *
     * @throws IllegalArgumentException naming the setting and the text, if it cannot be read or breaks the rule
     */
    void set(WebSocketSettings.Builder builder, String text) {
        T value;
        try {
            value = rule.apply(parser.apply(text == null ? "" : text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid WebSocket setting " + name + "='" + text + "': " + e.getMessage(), e);
        }
        setter.accept(builder, value);
    }

    T get(WebSocketSettings settings) {
        return getter.apply(settings);
    }

    /** Gives the builder this setting's value from {@code from}. */
    void copy(WebSocketSettings from, WebSocketSettings.Builder to) {
        setter.accept(to, getter.apply(from));
    }

    // ---- rules: each says what is wrong after the setting's name ("maxFrameSize must be positive, was 0")

    /** A number of at least {@code min}: 1 for a limit that must allow something, 0 where zero means "none". */
    static <N extends Number> UnaryOperator<N> atLeast(long min) {
        return v -> {
            if (v.longValue() < min) {
                throw new IllegalArgumentException((min == 1 ? "must be positive" : min == 0 ? "must not be negative"
                        : "must be at least " + min) + ", was " + v);
            }
            return v;
        };
    }

    /** Zero disables the timer the setting governs. */
    static UnaryOperator<Duration> zeroOrMoreDuration() {
        return d -> {
            if (d.isNegative()) {
                throw new IllegalArgumentException("must be zero or positive, was " + d);
            }
            return d;
        };
    }

    static UnaryOperator<Duration> positiveDuration() {
        return d -> {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("must be positive, was " + d);
            }
            return d;
        };
    }

    static <V> UnaryOperator<V> any() {
        return v -> v;
    }

    // ---- text forms, one reader per kind

    /** A size that must fit an {@code int} array, with room left for a frame header. */
    static int parseIntSize(String text) {
        long bytes = parseSize(text);
        if (bytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("must be below 2 GiB");
        }
        return (int) bytes;
    }

    /** Parses {@code 1024}, {@code 64K}, {@code 16M}, {@code 16MiB}, {@code 1G}. */
    static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1).trim();
        }
        long number;
        try {
            number = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size (examples: 65536, 64K, 16M)");
        }
        if (number < 0 || number > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("size out of range");
        }
        return number * unit;
    }

    /** Parses a plain whole number; a count has no unit, so {@code 1K} is refused rather than read as 1024. */
    static int parseCount(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number (a count takes no K/M/G suffix)");
        }
    }

    /** Parses {@code 250} (milliseconds), {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unitMillis = 1;
        if (t.endsWith("ms")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            unitMillis = 1000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unitMillis = 60_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            unitMillis = 3_600_000;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t.trim());
            if (n < 0) {
                throw new IllegalArgumentException("duration must not be negative");
            }
            return Duration.ofMillis(Math.multiplyExact(n, unitMillis));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a duration (examples: 500ms, 30s, 5m)");
        }
    }

    static boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new IllegalArgumentException("not a boolean (true or false)");
        };
    }

    /** A comma-separated list, each element read by {@code element}. */
    static <E> List<E> parseList(String text, Function<String, E> element) {
        List<E> out = new ArrayList<>();
        for (String item : HeaderTokens.elements(text)) {
            out.add(element.apply(item));
        }
        return out;
    }

    static <E extends Enum<E>> E parseEnum(String text, Class<E> type) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(t)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("must be one of " + List.of(type.getEnumConstants()));
    }
}
