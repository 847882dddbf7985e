package io.socketlet.server.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServletRequest;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * On a container without Jetty (Tomcat), or a Jetty that hides its classes from the webapp, the
 * servlet calls {@link JettyUpgrade#isAvailable} all the same: it must answer false, and nothing
 * may throw {@link NoClassDefFoundError}. Simulated with a class loader that refuses every
 * {@code org.eclipse.jetty} class, as Tomcat's does.
 */
class JettyUpgradeWithoutJettyTest {

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
        URL classes = JettyUpgrade.class.getProtectionDomain().getCodeSource().getLocation();
        try (NoJettyClassLoader loader = new NoJettyClassLoader(classes, JettyUpgrade.class.getClassLoader())) {
            Class<?> upgrade = loader.loadClass(JettyUpgrade.class.getName());
            assertEquals(loader, upgrade.getClassLoader());
            Method isAvailable = upgrade.getMethod("isAvailable", HttpServletRequest.class);
            assertEquals(false, isAvailable.invoke(null, tomcatLikeRequest()));
        }
    }

    @Test
    void takeOverFailsWithIllegalStateNotLinkageErrorWithoutJettyClasses() throws Exception {
        URL classes = JettyUpgrade.class.getProtectionDomain().getCodeSource().getLocation();
        try (NoJettyClassLoader loader = new NoJettyClassLoader(classes, JettyUpgrade.class.getClassLoader())) {
            Class<?> upgrade = loader.loadClass(JettyUpgrade.class.getName());
            Method takeOver = upgrade.getMethod("takeOver", HttpServletRequest.class, Consumer.class);
            Consumer<Object> onOpen = t -> { };
            InvocationTargetException x = assertThrows(InvocationTargetException.class,
                    () -> takeOver.invoke(null, tomcatLikeRequest(), onOpen));
            assertInstanceOf(IllegalStateException.class, x.getCause());
            assertTrue(x.getCause().getMessage().contains("jetty-ee10-web.xml"), x.getCause().getMessage());
        }
    }

    @Test
    void isAvailableAnswersFalseForARequestJettyDidNotMake() {
        // Jetty's classes are on this test's class path, but the request is not Jetty's.
        assertEquals(false, JettyUpgrade.isAvailable(tomcatLikeRequest()));
        assertEquals(false, JettyUpgrade.isAvailable(null));
    }
}
