package org.apogee.core;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A bounded pool of prepared instances of one app. A request holds an instance for its whole life;
 * when all are taken it waits up to a bound. Instances are created on demand up to the bound and
 * reused most-recently-returned first (warm caches). {@link #invalidate()} retires every instance
 * (reload): busy ones are dropped when returned. Every instance that leaves the pool for good (a
 * reload, a broken one, {@link #close()}) goes to the disposer, so what it holds is released.
 */
final class StatePool<T> {

    private final Semaphore permits;
    private final ConcurrentLinkedDeque<Slot<T>> idle = new ConcurrentLinkedDeque<>();
    private final Supplier<T> factory;
    private final Consumer<T> disposer;
    private volatile long generation;
    private volatile boolean closed;

    record Slot<T>(T value, long generation) {}

    StatePool(int size, Supplier<T> factory) {
        this(size, factory, t -> {});
    }

    StatePool(int size, Supplier<T> factory, Consumer<T> disposer) {
        this.permits = new Semaphore(size, true);
        this.factory = factory;
        this.disposer = disposer;
    }

    /** An instance, or null when none became free within the timeout (or the pool is closed). */
    Slot<T> acquire(Duration timeout) throws InterruptedException {
        if (closed) return null;
        if (!permits.tryAcquire() && !permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) return null;
        if (closed) {
            permits.release();
            return null;
        }
        long gen = generation;
        Slot<T> slot;
        while ((slot = idle.pollFirst()) != null && slot.generation() != gen) {
            dispose(slot); // retired by a reload
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
        if (reusable && slot.generation() == generation && !closed) {
            idle.addFirst(slot);
            if (closed && idle.remove(slot)) dispose(slot); // closed meanwhile
        } else {
            dispose(slot);
        }
        permits.release();
    }

    void invalidate() {
        generation++;
        Slot<T> slot;
        while ((slot = idle.pollFirst()) != null) dispose(slot);
    }

    /** Disposes of the idle instances; busy ones are disposed of when returned; acquire answers null from now on. */
    void close() {
        closed = true;
        generation++;
        Slot<T> slot;
        while ((slot = idle.pollFirst()) != null) dispose(slot);
    }

    private void dispose(Slot<T> slot) {
        try {
            disposer.accept(slot.value());
        } catch (RuntimeException e) {
            System.getLogger("apogee").log(System.Logger.Level.WARNING, "disposing of a pooled instance failed", e);
        }
    }

    int idleCount() {
        return idle.size();
    }
}
