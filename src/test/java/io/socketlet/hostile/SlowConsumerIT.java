package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.BothContainers;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.ContainerPool;
import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import io.socketlet.internal.server.EndpointMetricsMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that stop reading while the server sends (Jetty #4824, OkHttp #3317: unbounded send
 * queues). The endpoint has maxBufferedBytes 1 MiB and writeTimeout 2 s; the slow client asks
 * for 128 MiB (2,000 messages of 64 KiB) with a 4 KiB receive buffer and reads nothing. The
 * server's queue must stay near its bound, the connection must end (1008 at the bound, or the
 * write timeout), the heap must not grow by the flood, and another client must be served
 * meanwhile.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class SlowConsumerIT {

    private static final long MAX_BUFFERED = 1 << 20;

    @RegisterExtension
    static final ContainerPool SERVERS = ContainerPool.perKind("slow", d -> d
            .servlet("flood", Probe.class, "/flood", Map.of("pingInterval", "0", "maxBufferedBytes", "1M",
                    "writeTimeout", "2s", "closeTimeout", "1s"))
            // The default writeTimeout (60 s): only the queue bound can stop a pong pile-up in time.
            .servlet("pings", Probe.class, "/pings", Map.of("pingInterval", "0", "maxBufferedBytes", "1M")));

    private static URI uri(ContainerKind kind, String id) {
        return URI.create(SERVERS.get(kind).ws("/flood") + "?id=" + id);
    }

    @BothContainers
    void aClientThatStopsReadingIsClosedAtTheBoundAndTheHeapStaysFlat(ContainerKind kind) throws Exception {
        SERVERS.get(kind); // started before its MBean is looked up
        EndpointMetricsMXBean metrics = HostileSupport.metrics(SERVERS.contextPath(kind), "flood");
        String slowId = UUID.randomUUID().toString();
        long heapBefore = HostileSupport.usedHeapAfterGc();
        try (RawWebSocketClient other = RawWebSocketClient.connect(uri(kind, UUID.randomUUID().toString()));
             RawWebSocketClient slow = RawWebSocketClient.connect(SERVERS.get(kind).port(), uri(kind, slowId), List.of(), 4096)) {
            long start = System.nanoTime();
            slow.send(Frame.text("flood 2000 65536"));
            Probe.Record record = Probe.record(slowId);

            // While the slow client stalls, another client is served.
            HostileSupport.awaitOrFail(Duration.ofSeconds(5), () -> record.maxBuffered.get() > 0 || record.sendsFailed.get() > 0,
                    () -> "the flood did not start: " + record);
            other.send(Frame.text("not starved"));
            Frame.Received echo = other.readOrEnd(Duration.ofSeconds(5));
            assertNotNull(echo, other.transcript());
            assertEquals("not starved", echo.text(), other.transcript());

            long heapDuring = HostileSupport.usedHeapAfterGc();
            Probe.Event closed = record.await("close", 10_000);
            long ms = HostileSupport.elapsedMs(start);
            assertNotNull(closed, "the slow consumer was not closed within 10 s (writeTimeout 2s): " + record
                    + "\n" + HostileSupport.describe(metrics));
            assertTrue(closed.code() == 1008 || closed.code() == 1006,
                    "closed with " + closed + "; expected 1008 (queue bound) or 1006 (write timeout): " + record);
            assertTrue(ms < 8000, "closed after " + ms + " ms");
            assertTrue(record.maxBuffered.get() <= MAX_BUFFERED + 65536 + 16,
                    "bufferedAmount reached " + record.maxBuffered.get() + " bytes with maxBufferedBytes " + MAX_BUFFERED);
            assertTrue(record.sendsFailed.get() > 0, "sends past the bound must fail their futures: " + record);
            String firstFailure = record.events.stream().filter(e -> e.type().equals("sendFailed")).findFirst()
                    .map(Probe.Event::detail).orElse("");
            assertTrue(firstFailure.contains("WebSocketClosedException"), "a send past the bound fails with "
                    + "WebSocketClosedException: " + firstFailure);
            long growth = heapDuring - heapBefore;
            assertTrue(growth < 48L << 20, "the heap grew by " + (growth >> 20) + " MiB during a 128 MiB flood to a stalled client");

            // The slow client, waking up, finds some data and then the end of the connection.
            assertTrue(slow.tcpClosedWithin(Duration.ofSeconds(5)), "the server should have dropped the slow client\n" + slow.transcript());

            other.send(Frame.text("after"));
            Frame.Received after = other.readOrEnd(Duration.ofSeconds(5));
            assertNotNull(after, other.transcript());
            assertEquals("after", after.text());
        }
        HostileSupport.awaitOrFail(Duration.ofSeconds(5), () -> metrics.getOpenConnections() == 0,
                () -> "connections still open: " + HostileSupport.describe(metrics));
        System.out.println("[hostile] " + kind + " slow consumer: " + Probe.record(slowId) + "; closes " + metrics.getCloses());
    }

    /**
     * The echo way: the client sends big messages and never reads the echoes, so the server's
     * replies pile up from onBinary. The same bound holds; the client's own writes end when the
     * server drops it.
     */
    @BothContainers
    void aClientThatSendsButNeverReadsIsClosed(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        try (RawWebSocketClient slow = RawWebSocketClient.connect(SERVERS.get(kind).port(), uri(kind, id), List.of(), 4096)) {
            byte[] message = Frame.binary(new byte[60_000]).bytes();
            long start = System.nanoTime();
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
                long sent = 0;
                while (HostileSupport.elapsedMs(start) < 15_000) {
                    if (!slow.trySend(message)) {
                        return sent;
                    }
                    sent++;
                }
                return -1L;
            });
            Probe.Event closed = Probe.record(id).await("close", 12_000);
            assertNotNull(closed, "the client that never reads was not closed: " + Probe.record(id));
            assertTrue(closed.code() == 1008 || closed.code() == 1006, "closed with " + closed);
            long sent = writer.get(20, TimeUnit.SECONDS);
            assertTrue(sent >= 0, "the client could still write 15 s later: the server never dropped TCP; " + Probe.record(id));
            assertTrue(Probe.record(id).maxBuffered.get() <= MAX_BUFFERED + 65536, Probe.record(id).toString());
        }
    }

    /**
     * A client that sends pings and never reads the pongs: every ping makes the server queue a
     * pong, so a queue that admits control frames without bound lets a client fill the server's
     * heap at line rate, for as long as the write timeout (60 s by default) allows. The client
     * sends up to 32 MiB of 125-byte pings (about 250,000) within a few seconds; the server must
     * either refuse the pile-up (close) or keep it small.
     */
    @BothContainers
    void pongsForAClientThatNeverReadsAreBounded(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        URI uri = URI.create(SERVERS.get(kind).ws("/pings") + "?id=" + id);
        EndpointMetricsMXBean metrics = HostileSupport.metrics(SERVERS.contextPath(kind), "pings");
        long heapBefore = HostileSupport.usedHeapAfterGc();
        try (RawWebSocketClient slow = RawWebSocketClient.connect(SERVERS.get(kind).port(), uri, List.of(), 4096)) {
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) {
                batch.writeBytes(Frame.ping(new byte[125]).bytes());
            }
            byte[] pings = batch.toByteArray();
            long start = System.nanoTime();
            long sent = 0;
            boolean cut = false;
            while (sent < (32L << 20) && HostileSupport.elapsedMs(start) < 6000) {
                if (!slow.trySend(pings)) {
                    cut = true;
                    break;
                }
                sent += pings.length;
            }
            Thread.sleep(300); // let the server read what is in flight
            long growth = HostileSupport.usedHeapAfterGc() - heapBefore;
            Probe.Event closed = Probe.record(id).await("close", 0);
            System.out.println("[hostile] " + kind + " ping flood: sent " + (sent >> 10) + " KiB of pings in "
                    + HostileSupport.elapsedMs(start) + " ms, client cut=" + cut + ", server heap +" + (growth >> 20) + " MiB, "
                    + Probe.record(id) + ", " + HostileSupport.describe(metrics));
            assertTrue(closed != null || growth < 32L << 20, "a client sent " + (sent >> 20) + " MiB of pings without reading "
                    + "the pongs: the connection is still open and the heap grew by " + (growth >> 20)
                    + " MiB (maxBufferedBytes 1M); " + Probe.record(id));
        }
    }
}
