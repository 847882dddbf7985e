package io.socketlet.it;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One started container per {@link ContainerKind} for a whole test class: started on first
 * use, stopped after the class. Register as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet").servlet(...));
 *
 * @BothContainers
 * void echoes(ContainerKind kind) { URI uri = SERVERS.get(kind).ws("/echo"); ... }
 * }</pre>
 *
 * A container that failed to start fails every test that asks for it, with the same cause,
 * without being retried for each test.
 *
 * <p>{@link #perKind} gives each kind a context path of its own, for tests that look an
 * endpoint up by its JMX name (context and servlet) while both containers run in this JVM.
 */
public final class ContainerPool implements AfterAllCallback {

    private final Function<ContainerKind, Containers.Deployment> deployments;
    private final Map<ContainerKind, Containers.Running> running = new EnumMap<>(ContainerKind.class);
    private final Map<ContainerKind, Exception> failed = new EnumMap<>(ContainerKind.class);

    /** The same deployment on each kind. */
    public ContainerPool(Containers.Deployment deployment) {
        this(kind -> deployment);
    }

    private ContainerPool(Function<ContainerKind, Containers.Deployment> deployments) {
        this.deployments = deployments;
    }

    /**
     * Each kind under its own context path, {@code /<base>-jetty} and {@code /<base>-tomcat}, with
     * the servlets {@code servlets} adds to a deployment.
     */
    public static ContainerPool perKind(String base, Function<Containers.Deployment, Containers.Deployment> servlets) {
        return new ContainerPool(kind -> servlets.apply(
                Containers.deployment("/" + base + "-" + kind.name().toLowerCase(Locale.ROOT))));
    }

    /** The context path the kind runs under. */
    public String contextPath(ContainerKind kind) {
        return deployments.apply(kind).contextPath();
    }

    /** The started container of this kind, starting it if needed. */
    public synchronized Containers.Running get(ContainerKind kind) {
        Containers.Running server = running.get(kind);
        if (server != null) {
            return server;
        }
        Exception earlier = failed.get(kind);
        if (earlier != null) {
            throw new IllegalStateException(kind + " failed to start earlier in this class", earlier);
        }
        try {
            server = Containers.start(kind, deployments.apply(kind));
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
