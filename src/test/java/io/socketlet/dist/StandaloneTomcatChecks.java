package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The common checks, plus what only Tomcat reports: its leak detection on undeploy, and its
 * web-application class loaders counted in the container's JVM.
 */
abstract class StandaloneTomcatChecks extends StandaloneContainerChecks {

    /**
     * Issue 15, as an operator sees it: the demo at {@code /redeploy} in use by a chat, its WAR
     * replaced (autoDeploy), then removed. Each time the open connections get 1001, Tomcat's leak
     * detection says nothing, and after a full GC Tomcat holds one web-application class loader per
     * deployed application: the old copy is gone.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void redeployingAndUndeployingTheWarLeavesNoCopyBehind() throws Exception {
        TomcatDistribution tomcat = (TomcatDistribution) server; // with a third copy of the WAR at REDEPLOY
        int deployed = tomcat.liveInstances(TomcatDistribution.WEBAPP_LOADER); // one per application in webapps/
        String path = TomcatDistribution.REDEPLOY;

        List<RawWebSocketClient> clients = chatAndEcho(path);
        try {
            awaitCloses(clients, tomcat::replaceRedeployWar);
        } finally {
            for (RawWebSocketClient c : clients) {
                c.close();
            }
        }
        awaitStatus(path + "/echo", s -> s == 200, "the new copy of the WAR to serve");
        for (RawWebSocketClient c : chatAndEcho(path)) { // the new copy works, and is in use too
            c.close();
        }
        int afterReplace = tomcat.liveInstances(TomcatDistribution.WEBAPP_LOADER);
        System.out.println("[redeploy] " + server.name() + ": web-application class loaders before: " + deployed
                + "; after the WAR was replaced: " + afterReplace);
        assertEquals(deployed, afterReplace,
                "web-application class loaders after the WAR was replaced (the old copy should be gone)\n" + tomcat.tail(20));

        clients = chatAndEcho(path);
        try {
            awaitCloses(clients, tomcat::removeRedeployWar);
        } finally {
            for (RawWebSocketClient c : clients) {
                c.close();
            }
        }
        awaitStatus(path + "/echo", s -> s == 404, "the removed WAR to be undeployed");
        int afterRemove = tomcat.liveInstances(TomcatDistribution.WEBAPP_LOADER);
        System.out.println("[redeploy] " + server.name() + ": after the WAR was removed: " + afterRemove);
        assertEquals(deployed - 1, afterRemove, "web-application class loaders after the WAR was removed\n" + tomcat.tail(20));

        List<String> warnings = server.console().lines()
                .filter(l -> l.contains("memory leak") || l.contains("failed to stop") || l.contains("failed to remove"))
                .toList();
        assertEquals(List.of(), warnings, "Tomcat's leak detection warned on undeploy");
    }

    /** Two chat members who talked, and an echo client, all still open. */
    private List<RawWebSocketClient> chatAndEcho(String context) throws IOException {
        List<RawWebSocketClient> clients = new ArrayList<>();
        RawWebSocketClient ada = RawWebSocketClient.connect(server.ws(context + "/chat"));
        clients.add(ada);
        RawWebSocketClient bob = RawWebSocketClient.connect(server.ws(context + "/chat"));
        clients.add(bob);
        RawWebSocketClient echo = RawWebSocketClient.connect(server.ws(context + "/echo"));
        clients.add(echo);
        ada.send(Frame.text("{\"type\":\"join\",\"name\":\"Ada\"}"));
        bob.send(Frame.text("{\"type\":\"join\",\"name\":\"Bob\"}"));
        ada.send(Frame.text("{\"type\":\"say\",\"text\":\"redeploy soon\"}"));
        assertEquals("redeploy soon", next(bob, "message").path("text").asText());
        echo.send(Frame.text("still here")).expectText("still here");
        return clients;
    }

    private interface Action {
        void run() throws Exception;
    }

    /** Runs the action, then has every client answer the server's close (each on its own thread, as browsers do). */
    private static void awaitCloses(List<RawWebSocketClient> clients, Action action) throws Exception {
        ExecutorService peers = Executors.newCachedThreadPool();
        try {
            List<Future<Integer>> codes = new ArrayList<>();
            for (RawWebSocketClient c : clients) {
                codes.add(peers.submit(() -> {
                    int code = closeWithin(c, Duration.ofSeconds(30)).closeCode();
                    c.send(Frame.close(code, ""));
                    return code;
                }));
            }
            action.run();
            for (Future<Integer> code : codes) {
                assertEquals(1001, code.get(40, TimeUnit.SECONDS), "close code when the application is undeployed");
            }
        } finally {
            peers.shutdownNow();
        }
    }

    /** The server's close frame, skipping data and answering pings, waiting up to the timeout. */
    private static Frame.Received closeWithin(RawWebSocketClient client, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Frame.Received frame = client.tryRead(Duration.ofSeconds(1));
            if (frame != null && frame.opcode() == Frame.CLOSE) {
                return frame;
            }
            if (frame != null && frame.opcode() == Frame.PING) {
                client.send(Frame.pong(frame.payload()));
            }
        }
        throw new AssertionError("no close frame within " + timeout + "\n" + client.transcript());
    }

    private void awaitStatus(String path, IntPredicate wanted, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status = -1;
        while (System.nanoTime() < deadline) {
            try {
                status = server.get(path).statusCode();
            } catch (IOException betweenDeployments) {
                status = -1;
            }
            if (wanted.test(status)) {
                return;
            }
            Thread.sleep(200);
        }
        assertTrue(false, "waited 30 s for " + what + "; GET " + path + " is " + status + "\n" + server.tail(30));
    }
}
