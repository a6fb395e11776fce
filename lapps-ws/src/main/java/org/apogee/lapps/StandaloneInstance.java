package org.apogee.lapps;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * One instance of a standalone service: its own state and thread, which runs {@code init()}
 * and then {@code run()} once. {@code must_stop()} turns true when the service stops, and a
 * {@code nap} sleep or an {@code mqr} wait in progress ends early; stopping then waits for
 * {@code run} to return.
 */
final class StandaloneInstance {

    private static final System.Logger LOG = System.getLogger("apogee.lapps");
    private static final AtomicLong IDS = new AtomicLong();

    private final String name;
    private final LuaState state;
    private final LuaValue init;
    private final LuaValue run;
    private volatile boolean mustStop;
    private Thread thread;

    StandaloneInstance(String name, ServiceStates states) {
        long id = IDS.incrementAndGet();
        this.name = name + "#" + id;
        this.state = states.newState(String.valueOf(id), this).state();
        LuaValue module = state.get(name);
        if (!module.istable() || !module.get("init").isfunction() || !module.get("run").isfunction()) {
            throw new ServiceStates.ServiceException(name + ": a standalone service module needs init and run functions");
        }
        this.init = module.get("init");
        this.run = module.get("run");
    }

    boolean mustStop() {
        return mustStop;
    }

    void start() {
        // a platform thread: run() is a long loop that may never block, and must not hold a carrier
        // thread that virtual threads (requests, other instances) need
        thread = Thread.ofPlatform().daemon().name("lapps-" + name).start(this::body);
    }

    private void body() {
        state.enter();
        try {
            try {
                init.call();
            } catch (LuaError | org.apogee.core.lua.LuaExit e) {
                LOG.log(System.Logger.Level.ERROR, "[" + name + "] init failed, run is skipped: " + e.getMessage());
                return;
            }
            try {
                run.call();
            } catch (LuaError | org.apogee.core.lua.LuaExit e) {
                if (!mustStop) LOG.log(System.Logger.Level.ERROR, "[" + name + "] run failed: " + e.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                LOG.log(System.Logger.Level.ERROR, "[" + name + "] run failed", e);
            }
        } finally {
            // stopped with the host: what the state keeps open (a database connection) closes with it
            if (mustStop) state.close();
        }
    }

    void requestStop() {
        mustStop = true;
        Thread t = thread;
        if (t != null) t.interrupt();
    }

    /** Waits up to {@code grace} for run to return. */
    void awaitStop(Duration grace) {
        Thread t = thread;
        if (t == null) return;
        try {
            if (!t.join(grace)) {
                LOG.log(System.Logger.Level.WARNING, "[" + name + "] run did not return within " + grace.toSeconds()
                        + " s of the stop request (does it check must_stop()?)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
