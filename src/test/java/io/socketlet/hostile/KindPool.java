package io.socketlet.hostile;

import io.socketlet.it.ContainerKind;
import io.socketlet.it.Containers;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Like {@code io.socketlet.it.ContainerPool}, one started container per kind for a test class,
 * but each kind gets its own context path ({@code /<base>-jetty}, {@code /<base>-tomcat}): both
 * run in this JVM at once, and the endpoint MBean is named by context and servlet, so with one
 * path for both the second start would take over the first one's MBean.
 */
final class KindPool implements AfterAllCallback {

    private final String base;
    private final Function<Containers.Deployment, Containers.Deployment> servlets;
    private final Map<ContainerKind, Containers.Running> running = new EnumMap<>(ContainerKind.class);
    private final Map<ContainerKind, Exception> failed = new EnumMap<>(ContainerKind.class);

    /**
     * @param base the context path without its slash and kind suffix
     * @param servlets adds the servlets to a deployment
     */
    KindPool(String base, Function<Containers.Deployment, Containers.Deployment> servlets) {
        this.base = base;
        this.servlets = servlets;
    }

    /** The context path used for the kind. */
    String contextPath(ContainerKind kind) {
        return "/" + base + "-" + kind.name().toLowerCase(Locale.ROOT);
    }

    synchronized Containers.Running get(ContainerKind kind) {
        Containers.Running server = running.get(kind);
        if (server != null) {
            return server;
        }
        Exception earlier = failed.get(kind);
        if (earlier != null) {
            throw new IllegalStateException(kind + " failed to start earlier in this class", earlier);
        }
        try {
            server = Containers.start(kind, servlets.apply(Containers.deployment(contextPath(kind))));
        } catch (Exception e) {
            failed.put(kind, e);
            throw new IllegalStateException(kind + " failed to start", e);
        }
        running.put(kind, server);
        return server;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        RuntimeException first = null;
        for (Containers.Running server : running.values()) {
            try {
                server.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        running.clear();
        failed.clear();
        if (first != null) {
            throw first;
        }
    }
}
