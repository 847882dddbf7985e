package io.socketlet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.CloseCodes;
import io.socketlet.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HubTest {

    private final List<WebSocket> dropped = new CopyOnWriteArrayList<>();

    private Hub hub(long limit) {
        return new Hub(limit, dropped::add);
    }

    @Test
    void broadcastReachesEveryMemberButTheOneLeftOut() {
        Hub hub = hub(1 << 20);
        FakeSocket a = new FakeSocket("a");
        FakeSocket b = new FakeSocket("b");
        FakeSocket c = new FakeSocket("c");
        List.of(a, b, c).forEach(hub::add);

        assertEquals(3, hub.broadcast("to all", null));
        assertEquals(2, hub.broadcast("not to a", a));

        assertEquals(List.of("to all"), a.sent());
        assertEquals(List.of("to all", "not to a"), b.sent());
        assertEquals(List.of("to all", "not to a"), c.sent());
    }

    @Test
    void stalledMemberIsClosedWith1008AndNeverDelaysTheOthers() {
        long limit = 10_000;
        Hub hub = hub(limit);
        FakeSocket stalled = new FakeSocket("stalled").mode(FakeSocket.Mode.STALLED);
        List<FakeSocket> healthy = List.of(new FakeSocket("a"), new FakeSocket("b"), new FakeSocket("c"));
        hub.add(stalled);
        healthy.forEach(hub::add);
        String message = "x".repeat(100);

        // Futures that never complete must not hold the broadcast up: 1000 rounds well within a second.
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int i = 0; i < 1000; i++) {
                hub.broadcast(message, null);
            }
        });

        for (FakeSocket s : healthy) {
            assertEquals(1000, s.sent().size(), s.name + " got every message");
            assertTrue(s.isOpen());
        }
        assertEquals(CloseCodes.POLICY_VIOLATION, stalled.closeCode());
        assertTrue(stalled.closeReason().startsWith("Too slow"), stalled.closeReason());
        assertEquals(1, stalled.closeCalls(), "closed once, then left alone");
        // Sends stopped once its queue passed the limit: one message past it at most.
        assertTrue(stalled.bufferedAmount() <= limit + message.length(), "buffered " + stalled.bufferedAmount());
        assertFalse(hub.contains(stalled));
        assertEquals(3, hub.size());
        assertEquals(List.of(stalled), dropped);
    }

    @Test
    void memberWhoseSendFailsIsDropped() {
        Hub hub = hub(1 << 20);
        FakeSocket gone = new FakeSocket("gone").mode(FakeSocket.Mode.FAILING);
        FakeSocket ok = new FakeSocket("ok");
        hub.add(gone);
        hub.add(ok);

        hub.broadcast("one", null);
        hub.broadcast("two", null);

        assertFalse(hub.contains(gone));
        assertEquals(List.of("one"), gone.sent(), "tried once, then dropped");
        assertEquals(List.of("one", "two"), ok.sent());
        assertEquals(List.of(gone), dropped);
        assertEquals(0, gone.closeCalls(), "a connection that is gone is not closed again");
    }

    @Test
    void aSendThatThrowsDropsOnlyThatMember() {
        Hub hub = hub(1 << 20);
        FakeSocket before = new FakeSocket("before");
        FakeSocket broken = new FakeSocket("broken").mode(FakeSocket.Mode.THROWING);
        FakeSocket after = new FakeSocket("after");
        List.of(before, broken, after).forEach(hub::add);

        hub.broadcast("one", null);

        assertEquals(List.of("one"), before.sent());
        assertEquals(List.of("one"), after.sent());
        assertFalse(hub.contains(broken));
        assertEquals(List.of(broken), dropped);
    }

    @Test
    void closedMemberIsSkippedAndDropped() {
        Hub hub = hub(1 << 20);
        FakeSocket closed = new FakeSocket("closed");
        hub.add(closed);
        closed.close(1000, "bye");

        assertEquals(0, hub.broadcast("hello", null));
        assertEquals(List.of(), closed.sent());
        assertEquals(0, hub.size());
    }

    @Test
    void sendToANonMemberWorksAndChecksItsQueueToo() {
        Hub hub = hub(10);
        FakeSocket outsider = new FakeSocket("outsider").mode(FakeSocket.Mode.STALLED);

        assertTrue(hub.send(outsider, "0123456789ab")); // an empty queue takes any one message
        assertFalse(hub.send(outsider, "more"));
        assertEquals(CloseCodes.POLICY_VIOLATION, outsider.closeCode());
    }

    @Test
    void broadcastsFromManyThreadsAtOnceReachEveryone() throws Exception {
        Hub hub = hub(1 << 20);
        List<FakeSocket> members = List.of(new FakeSocket("a"), new FakeSocket("b"), new FakeSocket("c"));
        members.forEach(hub::add);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int n = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    hub.broadcast(n + ":" + i, null);
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join(5000);
        }
        for (FakeSocket s : members) {
            assertEquals(2000, s.sent().size());
        }
    }
}
