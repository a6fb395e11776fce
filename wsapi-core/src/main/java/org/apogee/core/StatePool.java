package org.apogee.core;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A bounded pool of prepared instances of one app. A request holds an instance for its whole life;
 * when all are taken it waits up to a bound. Instances are created on demand up to the bound and
 * reused most-recently-returned first (warm caches). {@link #invalidate()} retires every instance
 * (reload): busy ones are dropped when returned.
 */
final class StatePool<T> {

    private final Semaphore permits;
    private final ConcurrentLinkedDeque<Slot<T>> idle = new ConcurrentLinkedDeque<>();
    private final Supplier<T> factory;
    private volatile long generation;

    record Slot<T>(T value, long generation) {}

    StatePool(int size, Supplier<T> factory) {
        this.permits = new Semaphore(size, true);
        this.factory = factory;
    }

    /** An instance, or null when none became free within the timeout. */
    Slot<T> acquire(Duration timeout) throws InterruptedException {
        if (!permits.tryAcquire() && !permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) return null;
        long gen = generation;
        Slot<T> slot;
        while ((slot = idle.pollFirst()) != null && slot.generation() != gen) {
            // retired by a reload
        }
        if (slot != null) return slot;
        try {
            return new Slot<>(factory.get(), gen);
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    /** Gives the instance back; a broken one (or one from before a reload) is dropped. */
    void release(Slot<T> slot, boolean reusable) {
        if (reusable && slot.generation() == generation) idle.addFirst(slot);
        permits.release();
    }

    void invalidate() {
        generation++;
        idle.clear();
    }

    int idleCount() {
        return idle.size();
    }
}
