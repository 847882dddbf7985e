package io.socketlet.server;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Closes a Tomcat upgraded socket for real. Tomcat's {@code WebConnection.close()} only marks the
 * upgraded streams closed; the socket itself is closed on Tomcat's next event for that connection.
 * Called from the engine's timer thread (close timeout, write timeout, a dead peer), that event
 * never comes when the peer is silent, and the socket would stay open for good, since Tomcat sets
 * upgraded sockets' timeouts to infinite.
 *
 * <p>Tomcat's own WebSocket closes its {@code SocketWrapperBase} from any thread; this reaches the
 * same object through the upgraded output stream's private field, by reflection, so nothing of
 * Tomcat is compiled in. On any other container, or if Tomcat changes, it does nothing.
 */
final class TomcatSocketCloser {

    private static final System.Logger LOG = System.getLogger(TomcatSocketCloser.class.getName());
    private static final String TOMCAT_STREAM = "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream";

    private TomcatSocketCloser() {
    }

    /** A closer for this upgraded output stream's socket, or null when it is not Tomcat's. */
    static Runnable of(Object upgradedOutput) {
        if (!upgradedOutput.getClass().getName().equals(TOMCAT_STREAM)) {
            return null;
        }
        try {
            Field field = upgradedOutput.getClass().getDeclaredField("socketWrapper");
            field.setAccessible(true);
            Object socketWrapper = field.get(upgradedOutput);
            Method close = socketWrapper.getClass().getMethod("close");
            return () -> {
                try {
                    close.invoke(socketWrapper);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing Tomcat's socket", e);
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Tomcat socket closer unavailable; sockets close on Tomcat's next event", e);
            return null;
        }
    }
}
