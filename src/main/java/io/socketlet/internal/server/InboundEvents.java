package io.socketlet.internal.server;

import io.socketlet.internal.protocol.CloseStatus;
import io.socketlet.internal.protocol.MessageListener;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * What the decoder found in one read, held until the decoder is let go and then delivered in
 * order: this is how no application code runs inside the decoder (OkHttp's reader never calls the
 * application while it holds the engine's lock either). Used by the read path alone, which the
 * transport never runs on two threads at once, so it needs no lock.
 *
 * <p>Most reads carry one message, so the first event is kept in a field and only a read with
 * more of them fills a list; an idle connection holds neither.
 */
final class InboundEvents implements MessageListener {

    /** A pong for the application (a ping is answered by the connection as it is decoded). */
    private record Pong(byte[] payload) {
    }

    /** hixie-76's 8 key bytes: the challenge is answered, then onOpen. */
    private record Challenge(byte[] key3) {
    }

    /** Receives pings at once, while decoding: answering one runs no application code. */
    private final WebSocketConnection pingTarget;
    private Object first;
    private ArrayList<Object> more;

    InboundEvents(WebSocketConnection pingTarget) {
        this.pingTarget = pingTarget;
    }

    boolean isEmpty() {
        return first == null;
    }

    private void add(Object event) {
        if (first == null) {
            first = event;
            return;
        }
        if (more == null) {
            more = new ArrayList<>(4);
        }
        more.add(event);
    }

    @Override
    public void onText(String text) {
        add(text);
    }

    @Override
    public void onBinary(ByteBuffer data) {
        add(data);
    }

    @Override
    public void onPing(byte[] payload) {
        pingTarget.onPing(payload);
    }

    @Override
    public void onPong(byte[] payload) {
        add(new Pong(payload));
    }

    @Override
    public void onClose(CloseStatus status) {
        add(status);
    }

    void challenge(byte[] key3) {
        add(new Challenge(key3));
    }

    /** Hands every held event to the connection, in the order decoded, and forgets them. */
    void drainTo(WebSocketConnection connection) {
        Object event = first;
        first = null;
        ArrayList<Object> rest = more;
        more = null;
        dispatch(connection, event);
        if (rest != null) {
            for (Object e : rest) {
                dispatch(connection, e);
            }
        }
    }

    private static void dispatch(WebSocketConnection connection, Object event) {
        if (event instanceof String text) {
            connection.onText(text);
        } else if (event instanceof ByteBuffer data) {
            connection.onBinary(data);
        } else if (event instanceof Pong pong) {
            connection.onPong(pong.payload());
        } else if (event instanceof CloseStatus status) {
            connection.onPeerClose(status);
        } else if (event instanceof Challenge challenge) {
            connection.onChallenge(challenge.key3());
        } else {
            throw new IllegalStateException("unknown event " + event);
        }
    }
}
