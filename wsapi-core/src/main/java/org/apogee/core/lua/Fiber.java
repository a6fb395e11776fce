package org.apogee.core.lua;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The execution of one Lua coroutine body, without a platform thread of its own.
 *
 * <p>Two implementations: a JDK continuation (a few hundred nanoseconds per switch, needs
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}) and, where that package is not
 * exported (inside a servlet container started without the flag), a virtual thread with a
 * park/unpark handoff. Both run the body lazily on the first {@link #run()}.
 */
abstract class Fiber {

    /** Thrown inside an abandoned thread-backed fiber to unwind it. */
    static final class Abandoned extends Error {
        Abandoned() { super("coroutine abandoned", null, false, false); }
    }

    /** Runs the body until it suspends or ends. */
    abstract void run();

    /** Called from inside the body: gives control back to the caller of {@link #run()}. */
    abstract void suspend();

    abstract boolean isDone();

    /** Called when the coroutine object becomes unreachable, so resources can be released. */
    void abandon() {}

    static Fiber create(Runnable body, Object owner) {
        return ContinuationFiber.AVAILABLE ? new ContinuationFiber(body) : ThreadFiber.create(body, owner);
    }

    /** Thread-backed fibers whose virtual thread has not ended yet (0 with the continuation engine). */
    static int liveThreadFibers() {
        return ContinuationFiber.AVAILABLE ? 0 : ThreadFiber.LIVE.get();
    }

    /** Threads unwinding an abandoned body now; read first so the thread-local is only read then. */
    private static final AtomicInteger UNWINDING = new AtomicInteger();
    private static final ThreadLocal<Boolean> UNWINDING_HERE = new ThreadLocal<>();

    /** True on a thread that is unwinding an abandoned thread-backed fiber. */
    static boolean unwindingAbandoned() {
        return UNWINDING.get() > 0 && UNWINDING_HERE.get() != null;
    }

    /** Which implementation this JVM uses: "continuation" or "virtual-thread". */
    static String engineName() {
        return ContinuationFiber.AVAILABLE ? "continuation" : "virtual-thread";
    }

    static final class ContinuationFiber extends Fiber {
        private static final MethodHandle NEW;
        private static final MethodHandle RUN;
        private static final MethodHandle YIELD;
        private static final MethodHandle IS_DONE;
        private static final Object SCOPE;
        static final boolean AVAILABLE;

        static {
            MethodHandle newC = null, run = null, yield = null, done = null;
            Object scope = null;
            boolean ok = false;
            if (!Boolean.getBoolean("apogee.coroutines.threads")) {
                try {
                    Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
                    Class<?> contClass = Class.forName("jdk.internal.vm.Continuation");
                    MethodHandles.Lookup lookup = MethodHandles.lookup();
                    scope = lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                            .invoke("lua-coroutine");
                    newC = lookup.findConstructor(contClass, MethodType.methodType(void.class, scopeClass, Runnable.class))
                            .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
                    run = lookup.findVirtual(contClass, "run", MethodType.methodType(void.class))
                            .asType(MethodType.methodType(void.class, Object.class));
                    yield = lookup.findStatic(contClass, "yield", MethodType.methodType(boolean.class, scopeClass))
                            .asType(MethodType.methodType(boolean.class, Object.class));
                    done = lookup.findVirtual(contClass, "isDone", MethodType.methodType(boolean.class))
                            .asType(MethodType.methodType(boolean.class, Object.class));
                    ok = true;
                } catch (Throwable notExported) {
                    ok = false;
                }
            }
            NEW = newC; RUN = run; YIELD = yield; IS_DONE = done; SCOPE = scope; AVAILABLE = ok;
        }

        private final Object continuation;

        ContinuationFiber(Runnable body) {
            try {
                continuation = (Object) NEW.invokeExact(SCOPE, body);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        @Override void run() {
            try {
                RUN.invokeExact(continuation);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        @Override void suspend() {
            try {
                boolean unused = (boolean) YIELD.invokeExact(SCOPE);
            } catch (IllegalStateException pinned) {
                // A native frame or a held monitor sits between the coroutine and its resumer.
                throw new org.luaj.vm2.LuaError("attempt to yield across a Java call boundary (" + pinned.getMessage() + ")");
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        @Override boolean isDone() {
            try {
                return (boolean) IS_DONE.invokeExact(continuation);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /**
     * Fallback: a virtual thread per coroutine, switched with park/unpark.
     *
     * <p>The JDK keeps every unfinished virtual thread reachable, so a coroutine abandoned while
     * suspended would keep its thread and everything on its stack forever. A {@link Cleaner} watches
     * the coroutine object (which the thread's stack must not reference) and, once it is
     * unreachable, wakes the thread and unwinds it with {@link Abandoned}.
     */
    static final class ThreadFiber extends Fiber {
        private static final Cleaner CLEANER = Cleaner.create();
        private static final Thread.Builder BUILDER = Thread.ofVirtual().name("lua-coroutine");
        static final AtomicInteger LIVE = new AtomicInteger();

        private final Runnable body;
        private volatile Thread fiberThread;
        private volatile Thread resumer;
        private volatile boolean inside;
        private volatile boolean done;
        private volatile boolean abandoned;
        /** An error the body let escape (os.exit's LuaExit...), rethrown to the resumer. */
        private volatile Throwable failure;

        private ThreadFiber(Runnable body) { this.body = body; }

        static ThreadFiber create(Runnable body, Object owner) {
            ThreadFiber fiber = new ThreadFiber(body);
            // The cleaning action holds the fiber and through it the body: neither may lead to the owner.
            CLEANER.register(owner, fiber::abandon);
            return fiber;
        }

        @Override void run() {
            resumer = Thread.currentThread();
            inside = true;
            if (fiberThread == null) {
                LIVE.incrementAndGet();
                fiberThread = BUILDER.start(this::runBody);
            } else {
                LockSupport.unpark(fiberThread);
            }
            while (inside) LockSupport.park(this);
            Throwable f = failure;
            if (f != null) {
                failure = null;
                if (f instanceof RuntimeException r) throw r;
                if (f instanceof Error e) throw e;
                throw new IllegalStateException(f);
            }
        }

        private void runBody() {
            try {
                if (!abandoned) body.run();
            } catch (Abandoned expected) {
                // unwound after the coroutine became unreachable
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (UNWINDING_HERE.get() != null) {
                    UNWINDING_HERE.remove();
                    UNWINDING.decrementAndGet();
                }
                LIVE.decrementAndGet();
                done = true;
                inside = false;
                Thread r = resumer;
                if (r != null && !abandoned) LockSupport.unpark(r);
            }
        }

        @Override void suspend() {
            inside = false;
            LockSupport.unpark(resumer);
            while (!inside) {
                if (abandoned) {
                    UNWINDING.incrementAndGet();
                    UNWINDING_HERE.set(Boolean.TRUE);
                    throw new Abandoned();
                }
                LockSupport.park(this);
            }
        }

        @Override boolean isDone() { return done; }

        @Override void abandon() {
            abandoned = true;
            Thread t = fiberThread;
            if (t != null && !done) LockSupport.unpark(t);
        }
    }
}
