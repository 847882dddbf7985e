package io.socketlet.internal.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Defines socketlet's Jetty-facing classes (the package {@value #JETTY_SIDE_PACKAGE}) inside
 * Jetty's own class loader, so that a WAR needs no Jetty-specific file.
 *
 * <p>Why: a Jetty webapp's class loader hides Jetty's server classes ({@code org.eclipse.jetty.io},
 * {@code .server}, ...), and the socket takeover must extend and call them. This loader's parent
 * is the loader of the container's own request class, which sees all of Jetty; its classes come
 * from the bytes of socketlet's jar, read as resources through the webapp's loader. It answers:
 *
 * <ul>
 *   <li>{@code io.socketlet.internal.server.jetty.*}: defined here, from socketlet's class files. They are
 *       the only socketlet classes that name Jetty types.</li>
 *   <li>every other {@code io.socketlet.*} class: from the webapp's loader, so that
 *       {@link Transport} and {@link SocketTakeover} are the very classes the engine uses, and an
 *       object made here can be handed to the engine without any adapter. Those classes name no
 *       Jetty type, so they link the same from either side.</li>
 *   <li>everything else (Jetty, the Servlet API, the JDK): from Jetty's loader.</li>
 * </ul>
 *
 * <p>Classes defined here are in a different runtime package from the webapp's
 * {@code io.socketlet.server} classes: they may use only public members of those.
 */
final class JettyClassLoader extends ClassLoader {

    /** The package whose classes are defined here; it holds nothing the engine loads itself. */
    static final String JETTY_SIDE_PACKAGE = "io.socketlet.internal.server.jetty";

    static {
        registerAsParallelCapable();
    }

    /** The webapp's loader: socketlet's class files and its engine classes. */
    private final ClassLoader engine;

    JettyClassLoader(ClassLoader jetty, ClassLoader engine) {
        super("socketlet-jetty", Objects.requireNonNull(jetty, "jetty"));
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (name.startsWith(JETTY_SIDE_PACKAGE + ".")) {
                    c = findClass(name);
                } else if (name.startsWith("io.socketlet.")) {
                    c = engine.loadClass(name);
                } else {
                    c = getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!name.startsWith(JETTY_SIDE_PACKAGE + ".")) {
            throw new ClassNotFoundException(name);
        }
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = engine.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name + ": " + resource + " not found beside socketlet's classes");
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length, JettyClassLoader.class.getProtectionDomain());
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    @Override
    public String toString() {
        return "JettyClassLoader[parent=" + getParent() + "]";
    }
}
