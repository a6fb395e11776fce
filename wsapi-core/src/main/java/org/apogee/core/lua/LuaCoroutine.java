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
 */
public final class LuaCoroutine extends LuaThread {

    private final Fiber fiber;
    private final LuaValue function;
    private Varargs transfer = NONE;
    private LuaValue error;
    private boolean failed;
    private boolean finished;

    public LuaCoroutine(Globals globals, LuaValue function) {
        super(globals, function);
        this.function = function;
        this.errorfunc = Pcall.KEEP_MESSAGE;
        this.fiber = Fiber.create(this::body, this);
    }

    private void body() {
        LuaState.enterThread(globals);
        try {
            transfer = function.invoke(transfer);
        } catch (LuaError e) {
            failed = true;
            error = LuaErrorValue.of(e);
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

    @Override
    public Varargs resume(Varargs args) {
        if (state.status > STATUS_SUSPENDED) {
            return varargsOf(FALSE, valueOf("cannot resume " + (state.status == STATUS_DEAD ? "dead" : "non-suspended") + " coroutine"));
        }
        LuaThread previous = globals.running;
        globals.running = this;
        previous.state.status = STATUS_NORMAL;
        state.status = STATUS_RUNNING;
        transfer = args;
        try {
            fiber.run();
        } finally {
            globals.running = previous;
            previous.state.status = STATUS_RUNNING;
            LuaState.enterThread(globals);
        }
        Varargs out = transfer;
        transfer = NONE;
        if (finished) {
            state.status = STATUS_DEAD;
            if (failed) {
                LuaValue e = error;
                error = null;
                return varargsOf(FALSE, e);
            }
            return varargsOf(TRUE, out);
        }
        state.status = STATUS_SUSPENDED;
        return varargsOf(TRUE, out);
    }

    /** Called from inside this coroutine's body. */
    Varargs yield(Varargs values) {
        transfer = values;
        fiber.suspend();
        Varargs in = transfer;
        transfer = NONE;
        return in;
    }

    /** Which implementation runs coroutines in this JVM. */
    public static String engine() {
        return Fiber.engineName();
    }
}
