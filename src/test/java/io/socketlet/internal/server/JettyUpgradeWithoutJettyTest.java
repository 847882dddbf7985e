package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * socketlet's classes loaded by a class loader that cannot see Jetty's, as a Jetty webapp's
 * loader hides them from a WAR (and as Tomcat's has none): on Tomcat nothing may throw
 * {@link NoClassDefFoundError}; on Jetty the takeover must work all the same, with no file in
 * the WAR to un-hide anything.
 */
class JettyUpgradeWithoutJettyTest {

    private static final long TIMEOUT_SECONDS = 10;

    /** Loads socketlet's classes itself and refuses Jetty's; the rest (servlet API, JDK) from the parent. */
    static final class NoJettyClassLoader extends URLClassLoader {
        NoJettyClassLoader(URL classes, ClassLoader parent) {
            super(new URL[] {classes}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (name.startsWith("org.eclipse.jetty.")) {
                    throw new ClassNotFoundException(name);
                }
                if (name.startsWith("io.socketlet.")) {
                    Class<?> c = findLoadedClass(name);
                    if (c == null) {
                        c = findClass(name);
                    }
                    if (resolve) {
                        resolveClass(c);
                    }
                    return c;
                }
                return super.loadClass(name, resolve);
            }
        }
    }

    private Server server;
    private NoJettyClassLoader webapp;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (webapp != null) {
            webapp.close();
        }
    }

    private static NoJettyClassLoader webappLoader() {
        URL classes = JettyUpgrade.class.getProtectionDomain().getCodeSource().getLocation();
        return new NoJettyClassLoader(classes, JettyUpgrade.class.getClassLoader());
    }

    /** JettyUpgrade is package-private, and the webapp loader's copy is in another runtime package. */
    static Method accessible(Method method) {
        method.setAccessible(true);
        return method;
    }

    private static HttpServletRequest tomcatLikeRequest() {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProtocol" -> "HTTP/1.1";
                    case "getHeader" -> null;
                    case "toString" -> "TomcatLikeRequest";
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }

    @Test
    void isAvailableAnswersFalseWithoutJettyClasses() throws Exception {
        webapp = webappLoader();
        Class<?> upgrade = webapp.loadClass(JettyUpgrade.class.getName());
        assertEquals(webapp, upgrade.getClassLoader());
        Method isAvailable = accessible(upgrade.getMethod("isAvailable", HttpServletRequest.class));
        assertEquals(false, isAvailable.invoke(null, tomcatLikeRequest()));
    }

    @Test
    void takeOverFailsWithIllegalStateNotLinkageErrorOnAnotherContainer() throws Exception {
        webapp = webappLoader();
        Class<?> upgrade = webapp.loadClass(JettyUpgrade.class.getName());
        Method takeOver = accessible(upgrade.getMethod("takeOver", HttpServletRequest.class, Consumer.class));
        Consumer<Object> onOpen = t -> { };
        InvocationTargetException x = assertThrows(InvocationTargetException.class,
                () -> takeOver.invoke(null, tomcatLikeRequest(), onOpen));
        assertInstanceOf(IllegalStateException.class, x.getCause());
        assertTrue(x.getCause().getMessage().contains("not a Jetty 12 request"), x.getCause().getMessage());
    }

    @Test
    void isAvailableAnswersFalseForARequestJettyDidNotMake() {
        // Jetty's classes are on this test's class path, but the request is not Jetty's.
        assertEquals(false, JettyUpgrade.isAvailable(tomcatLikeRequest()));
        assertEquals(false, JettyUpgrade.isAvailable(null));
    }

    /**
     * A Jetty 12 whose classes the takeover cannot use (here: a loader that has Jetty's util jar and
     * nothing of its server) must stop the servlet with the reason and the way out, never let it
     * run the Servlet API road quietly, where browsers' first messages are lost.
     */
    @Test
    void refusesToStartOnAJettyItCannotTakeSocketsOverFrom() throws Exception {
        URL utilJar = org.eclipse.jetty.util.StringUtil.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader utilOnly = new URLClassLoader(new URL[] {utilJar}, ClassLoader.getPlatformClassLoader())) {
            Class<?> jettyClass = Class.forName("org.eclipse.jetty.util.StringUtil", false, utilOnly);
            IllegalStateException x = assertThrows(IllegalStateException.class,
                    () -> JettyUpgrade.checkAvailable("jetty/12.1.8", jettyClass));
            assertTrue(x.getMessage().contains("transport=SERVLET"), x.getMessage());
            assertTrue(x.getMessage().contains("jetty/12.1.8"), x.getMessage());
            assertTrue(x.getMessage().contains("AbstractConnection"), x.getMessage()); // the missing class
        }
        JettyUpgrade.checkAvailable("Apache Tomcat/11.0.24", Object.class); // another container: nothing to check
    }

    /**
     * The finding of issue 12: a WAR without {@code WEB-INF/jetty-ee10-web.xml} could not see
     * Jetty's classes, so the takeover was silently unavailable and browsers' connections took the
     * broken servlet road. Now the Jetty-facing classes are defined inside Jetty's class loader.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ee10", "ee11"})
    void takesTheSocketOverWhenTheWebappCannotSeeJetty(String environment) throws Exception {
        webapp = webappLoader();
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.eclipse.jetty.io.EndPoint", false, webapp),
                "the simulated webapp loader hides Jetty");
        HiddenJettyServlet servlet = new HiddenJettyServlet(webapp);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(context(environment, servlet));
        server.start();

        try (Socket socket = new Socket("127.0.0.1", connector.getLocalPort())) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)); // no Content-Length, as browsers send it
            out.flush();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101 "), head);
            Object transport = servlet.opened.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(transport, "the takeover opened: " + servlet.failures);
            ClassLoader transportLoader = transport.getClass().getClassLoader();
            assertEquals("JettyClassLoader", transportLoader.getClass().getSimpleName());
            assertEquals(webapp, transportLoader.getClass().getClassLoader(), "made by the webapp's socketlet");

            byte[] later = "sent after the 101".getBytes(StandardCharsets.US_ASCII);
            out.write(later); // the servlet road loses exactly these bytes on Jetty 12.1
            out.flush();
            assertArrayEquals(later, in.readNBytes(later.length));
        }
        assertTrue(servlet.failures.isEmpty(), servlet.failures.toString());
    }

    private static Handler context(String environment, HttpServlet servlet) {
        return switch (environment) {
            case "ee10" -> {
                var context = new org.eclipse.jetty.ee10.servlet.ServletContextHandler();
                context.addServlet(new org.eclipse.jetty.ee10.servlet.ServletHolder(servlet), "/*");
                yield context;
            }
            case "ee11" -> {
                var context = new org.eclipse.jetty.ee11.servlet.ServletContextHandler();
                context.addServlet(new org.eclipse.jetty.ee11.servlet.ServletHolder(servlet), "/*");
                yield context;
            }
            default -> throw new IllegalArgumentException(environment);
        };
    }

    /**
     * Answers 101 and takes the socket over through the webapp loader's {@code JettyUpgrade},
     * then echoes every read through that loader's {@code Transport}, all by reflection: this
     * test's own classes are not the webapp's.
     */
    static final class HiddenJettyServlet extends HttpServlet {
        final BlockingQueue<Object> opened = new LinkedBlockingQueue<>();
        final BlockingQueue<String> failures = new LinkedBlockingQueue<>();
        private final ClassLoader webapp;
        private final Method takeOver;
        private final Class<?> transportType;
        private final Class<?> listenerType;
        private final Class<?> callbackType;

        HiddenJettyServlet(ClassLoader webapp) throws ReflectiveOperationException {
            this.webapp = webapp;
            Class<?> upgrade = webapp.loadClass(JettyUpgrade.class.getName());
            takeOver = accessible(upgrade.getMethod("takeOver", HttpServletRequest.class, Consumer.class));
            transportType = webapp.loadClass(Transport.class.getName());
            listenerType = webapp.loadClass(Transport.TransportListener.class.getName());
            callbackType = webapp.loadClass(Transport.WriteCallback.class.getName());
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setStatus(101);
            resp.setHeader("Upgrade", "websocket");
            resp.setHeader("Connection", "Upgrade");
            Consumer<Object> onOpen = this::echo;
            try {
                takeOver.invoke(null, req, onOpen);
            } catch (ReflectiveOperationException x) {
                failures.add("takeOver: " + x.getCause());
                resp.reset();
                resp.sendError(500);
            }
        }

        private void echo(Object transport) {
            try {
                Method write = transportType.getMethod("write", ByteBuffer[].class, callbackType);
                Object callback = proxy(callbackType, (name, args) -> {
                    if (name.equals("failed")) {
                        failures.add("write failed: " + args[0]);
                    }
                });
                Object listener = proxy(listenerType, (name, args) -> {
                    if (name.equals("onRead")) {
                        ByteBuffer data = (ByteBuffer) args[0];
                        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
                        try {
                            write.invoke(transport, new ByteBuffer[] {copy}, callback);
                        } catch (ReflectiveOperationException x) {
                            failures.add("write: " + x);
                        }
                    } else if (name.equals("onFailure")) {
                        failures.add("onFailure: " + args[0]);
                    }
                });
                transportType.getMethod("start", listenerType).invoke(transport, listener);
                opened.add(transport);
            } catch (ReflectiveOperationException x) {
                failures.add("start: " + x);
            }
        }

        private Object proxy(Class<?> type, java.util.function.BiConsumer<String, Object[]> calls) {
            return Proxy.newProxyInstance(webapp, new Class<?>[] {type}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "toString" -> {
                        return type.getSimpleName() + " proxy";
                    }
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    default -> {
                        calls.accept(method.getName(), args);
                        return null;
                    }
                }
            });
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF in response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
