package io.socketlet.redeploy;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;

/** Full garbage collections until weak references clear, or a time limit passes. */
final class Gc {

    private Gc() {
    }

    /**
     * Runs full GCs until every reference is cleared or {@code limit} has passed; returns how
     * many referents are still reachable. Class loaders need a few rounds: their classes, and
     * the objects those classes' statics hold, go only after the loader itself is unreachable.
     */
    static int aliveAfterGcs(List<? extends WeakReference<?>> refs, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        int alive;
        do {
            System.gc();
            Thread.sleep(50);
            alive = (int) refs.stream().filter(r -> r.get() != null).count();
        } while (alive > 0 && System.nanoTime() - deadline < 0);
        return alive;
    }
}
