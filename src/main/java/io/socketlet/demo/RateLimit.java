package io.socketlet.demo;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code burst} messages at once, then {@code perSecond} a second. One per
 * connection, used only from that connection's callbacks (which never run concurrently), so it
 * needs no lock.
 */
final class RateLimit {

    private final double perNano;
    private final double burst;
    private final LongSupplier clock;
    private double tokens;
    private long last;

    RateLimit(double perSecond, int burst) {
        this(perSecond, burst, System::nanoTime);
    }

    RateLimit(double perSecond, int burst, LongSupplier nanoClock) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.clock = nanoClock;
        this.tokens = burst;
        this.last = nanoClock.getAsLong();
    }

    /** Takes one token if there is one. */
    boolean tryAcquire() {
        long now = clock.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
