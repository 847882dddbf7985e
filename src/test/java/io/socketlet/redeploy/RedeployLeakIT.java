package io.socketlet.redeploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.cluster.RedisServer;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redeploying the demo leaves nothing of the old copy behind (issue 15): the container stays up
 * while the demo is deployed at {@code /app}, used over live WebSocket connections (echo, a chat
 * between two members, the canvas), and undeployed with those connections open, several times
 * over. Each copy has its own class loader, as a WAR has ({@link WebappClasses}); once the copies
 * are undeployed, their loaders must become unreachable: a bounded loop of full GCs clears every
 * {@link WeakReference} to them. And when the undeploy returns, the application's timer thread
 * has ended, so Tomcat's leak detection has nothing to report.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedeployLeakIT {

    private static final int CYCLES = 3;
    private static final String TIMER = "socketlet-timer /app";

    static Stream<ContainerKind> containers() {
        return ContainerKind.selected();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void undeployedCopiesOfTheDemoAreCollected(ContainerKind kind) throws Exception {
        try (AppServer server = AppServer.start(kind)) {
            List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
            List<String> timersLeftRunning = new ArrayList<>();
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                // A peer that never answers the 1001 (a laptop that went to sleep) in one of the cycles.
                Cycle c = deployUseAndUndeploy(server, AppServer.App.at("/app").demoEndpoints(), cycle == 2);
                loaders.add(c.loader());
                if (c.timerRunningAfterUndeploy()) {
                    timersLeftRunning.add("cycle " + cycle);
                }
            }
            int alive = Gc.aliveAfterGcs(loaders, Duration.ofSeconds(10));
            System.out.println("[redeploy] " + kind + ": " + alive + " of " + CYCLES
                    + " undeployed web-application class loaders still reachable after full GCs");
            assertAll(
                    () -> assertEquals(0, alive, alive + " of " + CYCLES + " undeployed copies of the demo are still reachable on "
                            + kind + " (a heap dump's path to a GC root shows what holds them)"),
                    () -> assertEquals(List.of(), timersLeftRunning,
                            "undeploys that returned while the application's timer thread still ran"),
                    () -> assertEquals(List.of(), server.leakWarnings(), "the container's leak detection warned on undeploy"));
        }
    }

    /**
     * Rooms over Redis (a real redis-server): the same, and when the undeploy returns no thread
     * that carries the application's loader is left (the broker's room delivery threads, Lettuce's
     * and Netty's, the WAR's own copies in {@code WEB-INF/lib}), nor the broker's MBean.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void undeployedCopiesOfTheDemoOverRedisAreCollected(ContainerKind kind) throws Exception {
        try (RedisServer redis = RedisServer.start(); AppServer server = AppServer.start(kind)) {
            List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
            List<String> leftRunning = new ArrayList<>();
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                Cycle c = deployUseAndUndeploy(server, AppServer.App.at("/app").demoEndpoints(redis.uri()), false);
                loaders.add(c.loader());
                if (c.timerRunningAfterUndeploy()) {
                    leftRunning.add("cycle " + cycle + ": the timer");
                }
                String which = "cycle " + cycle + ": ";
                c.threadsLeft().forEach(t -> leftRunning.add(which + t));
            }
            int alive = Gc.aliveAfterGcs(loaders, Duration.ofSeconds(10));
            System.out.println("[redeploy] " + kind + " over Redis: " + alive + " of " + CYCLES
                    + " undeployed web-application class loaders still reachable after full GCs");
            assertAll(
                    () -> assertEquals(0, alive, alive + " of " + CYCLES + " undeployed copies of the demo over Redis are still"
                            + " reachable on " + kind),
                    () -> assertEquals(List.of(), leftRunning, "threads of the application still running when the undeploy returned"),
                    () -> assertEquals(Set.of(), ManagementFactory.getPlatformMBeanServer()
                            .queryNames(new ObjectName("io.socketlet:type=RedisBroker,*"), null), "brokers' MBeans left"),
                    () -> assertEquals(List.of(), server.leakWarnings(), "the container's leak detection warned on undeploy"));
        }
    }

    /**
     * What one deployment left: a weak reference to its loader, whether its timer outlived the
     * undeploy, and the threads that carried its loader as their context loader then.
     */
    private record Cycle(WeakReference<ClassLoader> loader, boolean timerRunningAfterUndeploy, List<String> threadsLeft) {
    }

    /**
     * One deployment's life; returns only a weak reference to its loader, so that nothing in
     * this frame keeps the application reachable.
     */
    private static Cycle deployUseAndUndeploy(AppServer server, AppServer.App deployment, boolean oneSilentPeer) throws Exception {
        AppServer.Deployed app = server.deploy(deployment);
        ClassLoader loader = app.loader();
        assertSame(loader, loader.loadClass("io.socketlet.server.WebSocketServlet").getClassLoader(),
                "the engine must belong to the web application, as in a WAR");
        List<RawWebSocketClient> clients = new ArrayList<>();
        boolean timerRunning;
        List<String> threadsLeft;
        try {
            RawWebSocketClient echo = connect(clients, server, "/app/echo");
            echo.send(Frame.text("hello")).expectText("hello");
            echo.send(Frame.binary(new byte[] {1, 2, 3})).expectBinary(new byte[] {1, 2, 3});

            RawWebSocketClient ada = connect(clients, server, "/app/chat");
            RawWebSocketClient bob = connect(clients, server, "/app/chat");
            ada.send(Frame.text("{\"type\":\"join\",\"name\":\"Ada\"}"));
            bob.send(Frame.text("{\"type\":\"join\",\"name\":\"Bob\"}"));
            ada.send(Frame.text("{\"type\":\"say\",\"text\":\"hi Bob\"}"));
            awaitMessage(bob, "\"type\":\"message\"", "hi Bob");

            RawWebSocketClient painter = connect(clients, server, "/app/canvas");
            painter.send(Frame.text("{\"type\":\"clear\"}"));
            awaitMessage(painter, "\"type\":\"clear\"", "");

            List<Thread> timers = threadsNamed(TIMER);
            assertEquals(1, timers.size(), "one timer thread for the application: " + timers);

            RawWebSocketClient silent = oneSilentPeer ? connect(clients, server, "/app/echo") : null;
            // Servlets are destroyed one after the other, each waiting for its own close
            // handshakes: every client answers its 1001 on a thread of its own, as browsers do.
            ExecutorService peers = Executors.newCachedThreadPool();
            try {
                CompletableFuture<Void> undeploy = CompletableFuture.runAsync(app::undeploy, peers);
                List<Future<Integer>> closes = new ArrayList<>();
                for (RawWebSocketClient c : clients) {
                    if (c != silent) {
                        closes.add(peers.submit(() -> answerClose(c)));
                    }
                }
                for (Future<Integer> close : closes) {
                    assertEquals(1001, close.get(20, TimeUnit.SECONDS), "close code on undeploy");
                }
                undeploy.get(20, TimeUnit.SECONDS);
            } finally {
                peers.shutdownNow();
            }
            timerRunning = timers.stream().anyMatch(Thread::isAlive); // right away: destroy() must have waited
            threadsLeft = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && t.getContextClassLoader() == loader).map(Thread::getName).toList();
        } finally {
            for (RawWebSocketClient c : clients) {
                c.close();
            }
        }
        return new Cycle(new WeakReference<>(loader), timerRunning, threadsLeft);
    }

    private static int answerClose(RawWebSocketClient client) throws IOException {
        int code = client.readClose(true).closeCode();
        client.send(Frame.close(code, ""));
        return code;
    }

    private static RawWebSocketClient connect(List<RawWebSocketClient> clients, AppServer server, String path)
            throws IOException {
        RawWebSocketClient client = RawWebSocketClient.connect(server.ws(path));
        clients.add(client);
        return client;
    }

    /** Reads text messages until one contains both strings. */
    private static void awaitMessage(RawWebSocketClient client, String type, String text) throws IOException {
        for (int i = 0; i < 20; i++) {
            Frame.Received frame = client.read();
            if (frame.opcode() == Frame.TEXT && frame.text().contains(type) && frame.text().contains(text)) {
                return;
            }
        }
        throw new AssertionError("no " + type + " " + text + "\n" + client.transcript());
    }

    private static List<Thread> threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).toList();
    }
}
