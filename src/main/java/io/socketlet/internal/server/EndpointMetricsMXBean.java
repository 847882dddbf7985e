package io.socketlet.internal.server;

import java.util.Map;

/**
 * The counters of one WebSocket endpoint, as JMX shows them (object name
 * {@code io.socketlet:type=Endpoint,host=...,context=...,name=<servlet name>}: the virtual host
 * where the container names one, the context path with Tomcat's {@code ##version}), so any JMX
 * console or exporter can read them.
 */
public interface EndpointMetricsMXBean {

    /**
     * Connections open now.
     *
     * @return the count, zero or more
     */
    int getOpenConnections();

    /**
     * Handshakes answered with 101 since the endpoint started.
     *
     * @return the total since the endpoint started
     */
    long getHandshakesAccepted();

    /**
     * Refused handshakes by status and reason kind (the reason's first two words, fixed text), such
     * as {@code 400 Missing Host} or {@code 403 Origin not}.
     *
     * @return each kind with its total since the endpoint started; empty when none was refused
     */
    Map<String, Long> getHandshakesRefused();

    /**
     * Messages received from peers (data messages, after reassembly).
     *
     * @return the total since the endpoint started
     */
    long getMessagesIn();

    /**
     * Frames handed to the container for peers.
     *
     * @return the total since the endpoint started
     */
    long getMessagesOut();

    /**
     * Bytes read from peers, on the wire.
     *
     * @return the total since the endpoint started, frame headers included
     */
    long getBytesIn();

    /**
     * Bytes handed to the container for peers, on the wire.
     *
     * @return the total since the endpoint started, frame headers included
     */
    long getBytesOut();

    /**
     * Closed connections by the close code reported to the application.
     *
     * @return each close code, as text, with its total since the endpoint started; empty when none closed
     */
    Map<String, Long> getCloses();
}
