package io.socketlet.it;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The Servlet containers every integration test runs on. {@code -Dsocketlet.it.containers=tomcat}
 * (comma-separated, case-insensitive) narrows a run to some of them while debugging.
 */
public enum ContainerKind {
    /** Embedded Jetty 12.1, ee10 ({@code ServletContextHandler}). */
    JETTY,
    /** Embedded Tomcat 11. */
    TOMCAT;

    /** The kinds selected for this run: all of them unless {@code socketlet.it.containers} says otherwise. */
    public static Stream<ContainerKind> selected() {
        String only = System.getProperty("socketlet.it.containers", "").trim();
        if (only.isEmpty()) {
            return Arrays.stream(values());
        }
        String list = "," + only.toUpperCase(Locale.ROOT).replace(" ", "") + ",";
        return Arrays.stream(values()).filter(k -> list.contains("," + k.name() + ","));
    }

    /** Every selected kind with every value: arguments {@code (kind, value)} for a {@code @MethodSource}. */
    public static Stream<Arguments> times(Object... values) {
        return selected().flatMap(kind -> Arrays.stream(values).map(v -> Arguments.of(kind, v)));
    }
}
