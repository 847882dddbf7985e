package io.socketlet.demo;

import io.socketlet.CloseCodes;
import io.socketlet.WebSocket;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The members of a room and the one way to send to them: {@link WebSocket#sendText}, which
 * queues the message and returns. The hub never waits on a send's future, so a member that
 * reads slowly, or not at all, costs the others nothing; and before each send it looks at that
 * member's {@link WebSocket#bufferedAmount()}: past the limit the member is closed with 1008 and
 * dropped (the engine would close it anyway at its own {@code maxBufferedBytes}; the hub's limit
 * sits below that, so the member hears why).
 *
 * <p>Thread-safe. A member is also dropped when a send to it fails (it closed meanwhile).
 * {@code onDrop} hears of every member dropped by the hub itself, possibly more than once and on
 * any thread, so the room can say goodbye for it without waiting for {@code onClose}.
 */
public final class Hub {

    private static final System.Logger LOG = System.getLogger(Hub.class.getName());

    private final long maxBufferedBytes;
    private final Consumer<WebSocket> onDrop;
    private final Set<WebSocket> members = ConcurrentHashMap.newKeySet();

    /**
     * @param maxBufferedBytes a member with more than this queued is closed with 1008
     * @param onDrop told of a member the hub dropped (evicted as too slow, or closed under a send)
     */
    public Hub(long maxBufferedBytes, Consumer<WebSocket> onDrop) {
        if (maxBufferedBytes <= 0) {
            throw new IllegalArgumentException("maxBufferedBytes must be positive");
        }
        this.maxBufferedBytes = maxBufferedBytes;
        this.onDrop = onDrop;
    }

    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    public void add(WebSocket socket) {
        members.add(socket);
    }

    /** Removes the member; returns whether it was one. */
    public boolean remove(WebSocket socket) {
        return members.remove(socket);
    }

    public boolean contains(WebSocket socket) {
        return members.contains(socket);
    }

    public int size() {
        return members.size();
    }

    public List<WebSocket> members() {
        return List.copyOf(members);
    }

    /**
     * Queues the text for one socket (member or not). Returns false, having sent nothing, when
     * the socket is closed or was too slow (it is then closed with 1008 and dropped).
     */
    public boolean send(WebSocket socket, String text) {
        if (!socket.isOpen()) {
            drop(socket);
            return false;
        }
        long queued = socket.bufferedAmount();
        if (queued > maxBufferedBytes) {
            members.remove(socket);
            socket.close(CloseCodes.POLICY_VIOLATION, "Too slow: " + queued + " bytes waiting to be sent")
                    .exceptionally(ignored -> null);
            onDrop.accept(socket);
            return false;
        }
        CompletableFuture<Void> sent;
        try {
            sent = socket.sendText(text);
        } catch (RuntimeException e) {
            // The API promises a failed future, never a throw; but one peer's failure must not
            // stop a broadcast to the others, whatever the engine does. Seen on Tomcat: a
            // NullPointerException from ServletTransport.writeLoop when the peer reset the
            // connection during the flush (the write was failed twice).
            LOG.log(System.Logger.Level.DEBUG, "sendText threw; dropping " + socket, e);
            drop(socket);
            return false;
        }
        // Never get() or join(): the future completes when the bytes reach the container, which
        // for a stalled peer is never. A failure means the connection is gone.
        sent.whenComplete((ok, error) -> {
            if (error != null) {
                drop(socket);
            }
        });
        return true;
    }

    /** Queues the text for every member but {@code except} (may be null); returns how many got it. */
    public int broadcast(String text, WebSocket except) {
        int sent = 0;
        for (WebSocket member : members) {
            if (member != except && send(member, text)) {
                sent++;
            }
        }
        return sent;
    }

    private void drop(WebSocket socket) {
        if (members.remove(socket)) {
            onDrop.accept(socket);
        }
    }
}
