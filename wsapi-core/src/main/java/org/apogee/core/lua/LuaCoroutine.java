package org.apogee.core.lua;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaErrorValue;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A Lua coroutine that costs no platform thread: the body runs on a {@link Fiber}.
 *
 * <p>It stays a {@link LuaThread} so that {@code type(co) == "thread"}, and so LuaJ's debug library
 * keeps a separate call stack per coroutine ({@code globals.running} is switched on resume).
 *
 * <p>The body and the values it exchanges live in a separate object that never refers back to the
 * coroutine, and no frame of a suspended body holds the coroutine: so a coroutine that Lua code
 * abandons while it is suspended becomes unreachable, and the virtual-thread engine can end its
 * thread.
 */
public final class LuaCoroutine extends LuaThread {

    private final Body body;

    public LuaCoroutine(Globals globals, LuaValue function) {
        super(globals, function);
        this.body = new Body(globals, function);
        body.fiber = Fiber.create(body, this);
    }

    /** What the fiber runs. Must not refer to the {@link LuaCoroutine}. */
    private static final class Body implements Runnable {
        private final Globals globals;
        private final LuaValue function;
        Fiber fiber;
        Varargs transfer = NONE;
        LuaValue error;
        /** The error that ended the body, with the traceback recorded inside the coroutine. */
        LuaError cause;
        boolean failed;
        boolean finished;

        Body(Globals globals, LuaValue function) {
            this.globals = globals;
            this.function = function;
        }

        @Override
        public void run() {
            LuaState.enterThread(globals);
            try {
                transfer = function.invoke(transfer);
            } catch (LuaError e) {
                failed = true;
                error = LuaErrorValue.of(e);
                cause = e;
            } catch (Fiber.Abandoned a) {
                throw a;
            } catch (StackOverflowError e) {
                failed = true;
                error = valueOf("stack overflow");
            } catch (RuntimeException e) {
                failed = true;
                error = valueOf(e.toString());
            } finally {
                finished = true;
            }
        }

        Varargs yield(Varargs values) {
            transfer = values;
            fiber.suspend();
            Varargs in = transfer;
            transfer = NONE;
            return in;
        }
    }

    /** The error that ended this coroutine, if any, with the traceback recorded inside it. */
    private LuaError failure;

    @Override
    public Varargs resume(Varargs args) {
        if (state.status > STATUS_SUSPENDED) {
            return varargsOf(FALSE, valueOf("cannot resume " + (state.status == STATUS_DEAD ? "dead" : "non-suspended") + " coroutine"));
        }
        Body b = body;
        LuaThread previous = globals.running;
        globals.running = this;
        previous.state.status = STATUS_NORMAL;
        state.status = STATUS_RUNNING;
        b.transfer = args;
        try {
            b.fiber.run();
        } finally {
            globals.running = previous;
            previous.state.status = STATUS_RUNNING;
            LuaState.enterThread(globals);
        }
        Varargs out = b.transfer;
        b.transfer = NONE;
        if (b.finished) {
            state.status = STATUS_DEAD;
            if (b.failed) {
                LuaValue e = b.error;
                failure = b.cause;
                b.error = null;
                b.cause = null;
                return varargsOf(FALSE, e);
            }
            return varargsOf(TRUE, out);
        }
        state.status = STATUS_SUSPENDED;
        return varargsOf(TRUE, out);
    }

    /**
     * The error to raise in the resumer for the error value {@code resume} just returned: the same
     * value, with the traceback recorded inside the coroutine for uncaught-error reports.
     */
    LuaError rethrow(LuaValue value) {
        // the original error keeps its value, position, traceback and Java type (an HTTP error stays one)
        LuaError e = failure != null ? failure : LuaErrorValue.rethrow(value, null);
        failure = null;
        return e;
    }

    /**
     * Yields the coroutine running in {@code globals}. Written so that no local of this frame holds
     * the coroutine while it is suspended.
     */
    static Varargs yield(Globals globals, Varargs values) {
        if (!(globals.running instanceof LuaCoroutine)) throw new LuaError("attempt to yield from outside a coroutine");
        return ((LuaCoroutine) globals.running).body.yield(values);
    }

    /**
     * True on a thread that is unwinding the body of an abandoned coroutine (virtual-thread engine):
     * the state may be running other code meanwhile, so what unwinds there must leave the state's
     * shared fields ({@code globals.running}, call stacks) alone.
     */
    public static boolean unwindingAbandoned() {
        return Fiber.unwindingAbandoned();
    }

    /** Which implementation runs coroutines in this JVM. */
    public static String engine() {
        return Fiber.engineName();
    }
}
