package io.socketlet.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.Containers;
import io.socketlet.rooms.redis.RedisBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node's process dies ({@code kill -9}: no close frames, no goodbye to Redis) in the middle of
 * a chat across two nodes: the demo in a JVM of its own ({@link DemoNodeProcess}, Jetty) and one
 * in this JVM (Tomcat), over one redis-server. Two people on the doomed node, one of them
 * talking, one person on the live node talking. Then:
 * <ul>
 *   <li>on the live node, the dead node's members leave with reason "node gone" within the
 *       liveness window (three heartbeats of 2 s after its last, and the live node's next heartbeat);</li>
 *   <li>the dead node's clients reconnect to the live node with {@code ?after=<offset>}, are
 *       resumed there, and have every message the log accepted exactly once, in order;</li>
 *   <li>nothing the live node's person said is lost, and what the doomed node's person said
 *       before the kill and after reconnecting is accepted.</li>
 * </ul>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeProcessKillIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Under the chat's rate limit (5 messages a second per client). */
    private static final long PACE_MILLIS = 250;
    private static final int MESSAGES = 28;
    /**
     * When a killed node's members are gone at the latest: its key expires three heartbeats after
     * its last beat (so up to 6.1 s after the kill), a live node looks at its next beat (2 s), and
     * its read loop brings the change (a heartbeat more, for a loaded machine).
     */
    private static final long LIVENESS_MILLIS = 3 * RedisBroker.DEFAULT_HEARTBEAT.toMillis() + 100;
    private static final long GONE_WITHIN_MILLIS = LIVENESS_MILLIS + 2 * RedisBroker.DEFAULT_HEARTBEAT.toMillis();

    private final HttpClient http = HttpClient.newHttpClient();

    /** A chat page: joins with its name, says numbered lines, reconnects elsewhere with its last offset. */
    private final class Person implements WebSocket.Listener {
        final String name;
        final List<JsonNode> received = new CopyOnWriteArrayList<>();
        /** Its member id on each connection, in order. */
        final List<Long> ids = new CopyOnWriteArrayList<>();
        final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
        volatile String lastOffset;
        volatile WebSocket socket;
        volatile CompletableFuture<Void> closed = new CompletableFuture<>();
        volatile long reconnectedAt;
        private final StringBuilder partial = new StringBuilder();

        Person(String name) {
            this.name = name;
        }

        void connect(URI chat) throws Exception {
            closed = new CompletableFuture<>();
            URI uri = lastOffset == null ? chat : URI.create(chat + "?after=" + lastOffset);
            socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, this).get(10, TimeUnit.SECONDS);
            socket.sendText("{\"type\":\"join\",\"name\":\"" + name + "\"}", true).get(5, TimeUnit.SECONDS);
        }

        /** Reconnects to the live node once its connection is gone, as the page does. */
        void reconnectWhenClosed(URI live) throws Exception {
            if (closed.isDone()) {
                connect(live);
                reconnectedAt = System.nanoTime();
            }
        }

        void say(int i) {
            sentAt.put(i, System.nanoTime());
            try {
                socket.sendText("{\"type\":\"say\",\"text\":\"" + name + "-" + i + "\"}", true).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                closed.complete(null); // its node is gone: this line is lost, as the docs say
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode m = JSON.readTree(partial.toString());
                    received.add(m);
                    if (m.path("type").asText().equals("welcome")) {
                        ids.add(m.path("id").asLong());
                    }
                    if (m.hasNonNull("offset")) {
                        lastOffset = m.path("offset").asText();
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(null);
        }

        boolean heard(String type, String field, String value) {
            return received.stream().anyMatch(m -> m.path("type").asText().equals(type) && m.path(field).asText().equals(value));
        }

        /** Another person's lines as received here, in order: their numbers, for those with an offset (from the log). */
        List<Integer> linesOf(Person sender) {
            List<Integer> out = new ArrayList<>();
            for (JsonNode m : received) {
                String text = m.path("text").asText();
                if (m.path("type").asText().equals("message") && m.hasNonNull("offset") && text.startsWith(sender.name + "-")) {
                    out.add(Integer.parseInt(text.substring(sender.name.length() + 1)));
                }
            }
            return out;
        }

        List<JsonNode> welcomes() {
            return received.stream().filter(m -> m.path("type").asText().equals("welcome")).toList();
        }
    }

    @Test
    void aKilledNodesMembersLeaveAsNodeGoneAndItsClientsResumeOnALiveNodeLosingNothingTheLogAccepted() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Containers.Running live = Containers.start(ContainerKind.TOMCAT, ClusterIT.deployment(redis.uri()));
             DemoNodeProcess doomed = DemoNodeProcess.start(redis.uri())) {
            URI liveChat = live.ws("/chat");
            Person watcher = new Person("Watcher");
            Person talker = new Person("Talker");
            Person reader = new Person("Reader");
            watcher.connect(liveChat);
            talker.connect(doomed.ws("/chat"));
            reader.connect(doomed.ws("/chat"));
            // Both nodes reached Redis: the live node hears the doomed node's members, and the doomed
            // node reads the log (a probe line crosses; the node may have joined Redis after the
            // watcher's name, which it then learned from its snapshot, without a "joined" event).
            await("the live node hears the doomed node's members", Duration.ofSeconds(30),
                    () -> watcher.heard("joined", "name", "Talker") && watcher.heard("joined", "name", "Reader"));
            await("the doomed node reads the log", Duration.ofSeconds(30), () -> {
                if (!reader.heard("message", "text", "probe")) {
                    watcher.socket.sendText("{\"type\":\"say\",\"text\":\"probe\"}", true).get(5, TimeUnit.SECONDS);
                    Thread.sleep(500);
                }
                return reader.heard("message", "text", "probe");
            });
            long talkerFirstId = talker.ids.get(0);
            long readerFirstId = reader.ids.get(0);

            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread watcherTalks = new Thread(() -> talk(watcher, null, failures), "watcher talks");
            Thread talkerTalks = new Thread(() -> talk(talker, liveChat, failures), "talker talks");
            watcherTalks.start();
            talkerTalks.start();
            Thread.sleep(MESSAGES / 2 * PACE_MILLIS);

            long killedAt = System.nanoTime();
            doomed.kill();
            assertFalse(doomed.isAlive());
            await("the reader's connection ended with its node", Duration.ofSeconds(10), () -> reader.closed.isDone());
            reader.reconnectWhenClosed(liveChat);
            long[] goneAfter = new long[2];
            await("the dead node's members left the live node's room as \"node gone\"", Duration.ofMillis(GONE_WITHIN_MILLIS + 5000), () -> {
                for (int i = 0; i < 2; i++) {
                    long id = i == 0 ? talkerFirstId : readerFirstId;
                    if (goneAfter[i] == 0 && watcher.received.stream().anyMatch(m -> m.path("type").asText().equals("left")
                            && m.path("id").asLong() == id && m.path("reason").asText().equals("node gone"))) {
                        goneAfter[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                    }
                }
                return goneAfter[0] > 0 && goneAfter[1] > 0;
            });
            watcherTalks.join(TimeUnit.SECONDS.toMillis(30));
            talkerTalks.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(failures.isEmpty(), failures.toString());
            Thread.sleep(2000); // the last lines reach everyone
            System.out.println("[NodeProcessKillIT] the killed node's members left as \"node gone\" " + goneAfter[0] + " and "
                    + goneAfter[1] + " ms after SIGKILL (liveness " + LIVENESS_MILLIS + " ms)");
            assertTrue(Math.max(goneAfter[0], goneAfter[1]) <= GONE_WITHIN_MILLIS,
                    "gone within the liveness window and a heartbeat (" + GONE_WITHIN_MILLIS + " ms): " + goneAfter[0] + ", " + goneAfter[1]);

            for (Person p : List.of(talker, reader)) {
                List<JsonNode> welcomes = p.welcomes();
                assertEquals(2, welcomes.size(), p.name + " connected twice: " + welcomes);
                assertTrue(welcomes.get(1).path("resumed").asBoolean(), p.name + " was resumed from its offset on the live node: "
                        + welcomes.get(1));
            }
            List<Person> people = List.of(watcher, talker, reader);
            StringBuilder problems = new StringBuilder();
            for (Person sender : List.of(watcher, talker)) {
                Set<Integer> accepted = new TreeSet<>();
                for (Person receiver : people) {
                    if (receiver != sender) {
                        accepted.addAll(receiver.linesOf(sender));
                    }
                }
                for (Person receiver : people) {
                    if (receiver == sender) {
                        continue;
                    }
                    List<Integer> got = receiver.linesOf(sender);
                    if (!got.equals(new ArrayList<>(accepted))) {
                        problems.append(receiver.name).append(" got ").append(sender.name).append("'s lines ").append(got)
                                .append(", the log accepted ").append(accepted).append('\n');
                    }
                }
                for (int i = 1; i <= MESSAGES; i++) {
                    long at = sender.sentAt.getOrDefault(i, 0L);
                    boolean nodeUp = sender == watcher || at < killedAt - TimeUnit.SECONDS.toNanos(1)
                            || (sender.reconnectedAt > 0 && at > sender.reconnectedAt);
                    if (nodeUp && !accepted.contains(i)) {
                        problems.append(sender.name).append("'s line ").append(i).append(", said while its node was up, was lost\n");
                    }
                }
                System.out.println("[NodeProcessKillIT] " + sender.name + ": " + accepted.size() + " of " + MESSAGES + " lines accepted");
            }
            assertTrue(problems.length() == 0, problems + "\nthe killed node's log:\n" + tail(doomed.log()));
        }
    }

    /** Says the numbered lines at the pace; reconnects to the live node (when given) once its connection is gone. */
    private void talk(Person person, URI live, List<Throwable> failures) {
        try {
            for (int i = 1; i <= MESSAGES; i++) {
                if (live != null) {
                    person.reconnectWhenClosed(live);
                }
                person.say(i);
                Thread.sleep(PACE_MILLIS);
            }
        } catch (Throwable e) {
            failures.add(e);
        }
    }

    /** A condition that may wait a little itself. */
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Duration within, Condition condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    private static String tail(String log) {
        return log.length() > 3000 ? "..." + log.substring(log.length() - 3000) : log;
    }
}
