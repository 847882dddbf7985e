package io.socketlet.internal.server;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;

/**
 * Closes a Tomcat upgraded socket for real. Tomcat's {@code WebConnection.close()} only marks the
 * upgraded streams closed; the socket itself is closed on Tomcat's next event for that connection.
 * Called from the engine's timer thread (close timeout, write timeout, a dead peer), that event
 * never comes when the peer is silent, and the socket would stay open for good, since Tomcat sets
 * upgraded sockets' timeouts to infinite.
 *
 * <p>Tomcat's own WebSocket closes its {@code SocketWrapperBase} from any thread; this reaches the
 * same object through the upgraded output stream's private field {@value #SOCKET_FIELD}, by
 * reflection, so nothing of Tomcat is compiled in. {@code TomcatSocketCloserTest} pins that field
 * on each Tomcat we support (embedded 11, Debian's 10.1). On any other container it does nothing;
 * if a Tomcat renames the field, it warns once, naming the Tomcat version, since timer-driven
 * closes then leave sockets open.
 */
final class TomcatSocketCloser {

    private static final System.Logger LOG = System.getLogger(TomcatSocketCloser.class.getName());
    static final String TOMCAT_STREAM = "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream";
    /** The field of {@link #TOMCAT_STREAM} that holds the {@code SocketWrapperBase}. */
    static final String SOCKET_FIELD = "socketWrapper";
    /** The warning is worth reading once per JVM, not once per connection. */
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private TomcatSocketCloser() {
    }

    /**
     * Tomcat's members the closer uses, looked up once per class rather than once per connection
     * (and per retried close): the stream's socket field, and the socket wrapper's methods. One
     * entry each, since a web application runs in one Tomcat; holding Tomcat's classes keeps
     * nothing of the application alive.
     */
    record StreamMembers(Class<?> stream, Field socket) {
    }

    record WrapperMembers(Class<?> wrapper, Method close, Method isClosed, Method getLock, Method getEndpoint) {
    }

    private static volatile StreamMembers streamMembers;
    private static volatile WrapperMembers wrapperMembers;

    /** A closer for this upgraded output stream's socket, or null when it is not Tomcat's. */
    static Runnable of(Object upgradedOutput) {
        Class<?> stream = upgradedOutput.getClass();
        if (!stream.getName().equals(TOMCAT_STREAM)) {
            return null;
        }
        try {
            Object socketWrapper = streamMembers(stream).socket().get(upgradedOutput);
            WrapperMembers members = wrapperMembers(socketWrapper.getClass());
            Lock lock = (Lock) members.getLock().invoke(socketWrapper);
            return new Closer(socketWrapper, members, lock)::run;
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "Cannot reach the socket of an upgraded connection on " + tomcatVersion(stream)
                        + " (" + TOMCAT_STREAM + "." + SOCKET_FIELD + ": " + e + "). Connections that the engine's timers"
                        + " close (close, write and idle timeouts, dead peers) keep their socket until Tomcat's next event"
                        + " for it, which a silent peer never causes. Please report this with the Tomcat version.", e);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "Tomcat socket closer unavailable", e);
            }
            return null;
        }
    }

    static StreamMembers streamMembers(Class<?> stream) throws ReflectiveOperationException {
        StreamMembers members = streamMembers;
        if (members == null || members.stream() != stream) {
            Field field = stream.getDeclaredField(SOCKET_FIELD);
            field.setAccessible(true);
            members = new StreamMembers(stream, field);
            streamMembers = members;
        }
        return members;
    }

    static WrapperMembers wrapperMembers(Class<?> wrapper) throws ReflectiveOperationException {
        WrapperMembers members = wrapperMembers;
        if (members == null || members.wrapper() != wrapper) {
            Method getEndpoint = findMethod(wrapper, "getEndpoint");
            getEndpoint.setAccessible(true);
            members = new WrapperMembers(wrapper, wrapper.getMethod("close"), wrapper.getMethod("isClosed"),
                    wrapper.getMethod("getLock"), getEndpoint);
            wrapperMembers = members;
        }
        return members;
    }

    /**
     * Closes the socket only while holding Tomcat's lock for it, the one Tomcat holds while a
     * container thread processes an event of that socket. Closing from another thread (a timer
     * action, an undeploy) in the middle of that processing would let Tomcat park the finished
     * connection's processor among its waiting ones after the socket is gone, where nothing ever
     * removes it: the connection, and the web application behind it, would stay in memory. So
     * the close never waits: if a container thread holds the lock it is tried again shortly.
     * (Once the event reaches our listener, Tomcat itself sees the streams closed and ends the
     * connection; the retry then finds the socket closed.)
     */
    private record Closer(Object socketWrapper, WrapperMembers members, Lock lock) {
        private static final long RETRY_MILLIS = 10;
        private static final int MAX_TRIES = 3_000;

        void run() {
            attempt(1);
        }

        private ScheduledExecutorService tomcatsUtilityExecutor() throws ReflectiveOperationException {
            return utilityExecutorOf(socketWrapper, members.getEndpoint());
        }

        private void attempt(int tries) {
            try {
                if (lock.tryLock()) {
                    try {
                        members.close().invoke(socketWrapper);
                    } finally {
                        lock.unlock();
                    }
                } else if (tries < MAX_TRIES && !Boolean.TRUE.equals(members.isClosed().invoke(socketWrapper))) {
                    tomcatsUtilityExecutor().schedule(() -> attempt(tries + 1), RETRY_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing Tomcat's socket", e);
            }
        }
    }

    /**
     * The retry runs on Tomcat's own utility executor, a thread of the container: a thread the
     * JDK made on first use (a delayed executor's) would take the context class loader of
     * whichever application thread first asked, and keep that application in memory for the
     * life of the JVM.
     */
    private static ScheduledExecutorService utilityExecutorOf(Object socketWrapper, Method getEndpoint)
            throws ReflectiveOperationException {
        Object endpoint = getEndpoint.invoke(socketWrapper);
        return (ScheduledExecutorService) endpoint.getClass().getMethod("getUtilityExecutor").invoke(endpoint);
    }

    private static Method findMethod(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 0) {
                    return m;
                }
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + "()");
    }

    /** The running Tomcat's name and version, such as {@code Apache Tomcat/10.1.60}, from its own class loader. */
    static String tomcatVersion(Class<?> tomcatClass) {
        try {
            Class<?> serverInfo = Class.forName("org.apache.catalina.util.ServerInfo", true, tomcatClass.getClassLoader());
            return String.valueOf(serverInfo.getMethod("getServerInfo").invoke(null));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Package p = tomcatClass.getPackage();
            String version = p == null ? null : p.getImplementationVersion();
            return "Tomcat " + (version == null ? "(version unknown)" : version);
        }
    }
}
