package io.socketlet.rooms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class SerialQueueTest {

    @Test
    void runsATaskAtOnceWhenIdle() {
        SerialQueue queue = new SerialQueue();
        List<String> ran = new ArrayList<>();
        queue.submit(() -> ran.add("one"));
        assertEquals(List.of("one"), ran);
    }

    @Test
    void aTaskSubmittedFromATaskRunsAfterIt() {
        SerialQueue queue = new SerialQueue();
        List<String> ran = new ArrayList<>();
        queue.submit(() -> {
            queue.submit(() -> ran.add("inner"));
            ran.add("outer");
        });
        assertEquals(List.of("outer", "inner"), ran);
    }

    @Test
    void aFailingTaskDoesNotStopTheQueue() {
        SerialQueue queue = new SerialQueue();
        List<String> ran = new ArrayList<>();
        Logger logger = Logger.getLogger(SerialQueue.class.getName());
        Level level = logger.getLevel();
        logger.setLevel(Level.OFF); // the warning and its stack trace are expected here
        try {
            queue.submit(() -> {
                throw new IllegalStateException("expected by the test");
            });
        } finally {
            logger.setLevel(level);
        }
        queue.submit(() -> ran.add("after"));
        assertEquals(List.of("after"), ran);
    }

    @Test
    void anErrorFromATaskDoesNotStopTheQueue() {
        SerialQueue queue = new SerialQueue();
        List<String> ran = new ArrayList<>();
        Logger logger = Logger.getLogger(SerialQueue.class.getName());
        Level level = logger.getLevel();
        logger.setLevel(Level.OFF); // the log line and its stack trace are expected here
        try {
            // An Error, not an exception: a task that overflows its stack, or an assert. The
            // tasks queued behind it by the running thread still run.
            queue.submit(() -> {
                queue.submit(() -> ran.add("queued behind the failing task"));
                throw new StackOverflowError("expected by the test");
            });
            queue.submit(() -> {
                throw new AssertionError("expected by the test");
            });
        } finally {
            logger.setLevel(level);
        }
        queue.submit(() -> ran.add("after"));
        assertEquals(List.of("queued behind the failing task", "after"), ran);
    }

    @Test
    void tasksFromManyThreadsNeverOverlapAndKeepEachThreadsOrder() throws Exception {
        SerialQueue queue = new SerialQueue();
        AtomicBoolean inside = new AtomicBoolean();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicInteger count = new AtomicInteger();
        int threads = 4;
        int perThread = 2000;
        int[] lastSeen = new int[threads];
        boolean[] outOfOrder = new boolean[1];
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            new Thread(() -> {
                for (int i = 1; i <= perThread; i++) {
                    int n = i;
                    queue.submit(() -> {
                        if (!inside.compareAndSet(false, true)) {
                            overlapped.set(true);
                        }
                        if (lastSeen[thread] != n - 1) {
                            outOfOrder[0] = true;
                        }
                        lastSeen[thread] = n;
                        count.incrementAndGet();
                        inside.set(false);
                    });
                }
                done.countDown();
            }).start();
        }
        done.await(10, TimeUnit.SECONDS);
        // The last submitter may still be draining: submit one more task and it runs after all.
        CountDownLatch last = new CountDownLatch(1);
        queue.submit(last::countDown);
        last.await(10, TimeUnit.SECONDS);
        assertEquals(threads * perThread, count.get());
        assertFalse(overlapped.get(), "two tasks ran at once");
        assertFalse(outOfOrder[0], "a thread's tasks ran out of order");
    }
}
