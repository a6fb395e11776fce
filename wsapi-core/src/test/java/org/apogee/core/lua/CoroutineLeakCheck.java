package org.apogee.core.lua;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;

/**
 * Creates coroutines that each yield once and are then abandoned, collects garbage, and reports
 * what is left: platform threads, coroutine objects still reachable, and thread-backed fibers
 * still alive. Used in this JVM and, for the virtual-thread engine, in a child JVM.
 */
final class CoroutineLeakCheck {

    record Counts(String engine, int threadsBefore, int threadsAfter, int peakThreads, int coroutinesAlive, int fibersAlive) {
        String format() {
            return "engine=" + engine + " threadsBefore=" + threadsBefore + " threadsAfter=" + threadsAfter
                    + " peakThreads=" + peakThreads + " coroutinesAlive=" + coroutinesAlive + " fibersAlive=" + fibersAlive;
        }

        static Counts parse(String line) {
            java.util.Map<String, String> m = new java.util.HashMap<>();
            for (String part : line.trim().split(" ")) {
                int eq = part.indexOf('=');
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
            return new Counts(m.get("engine"), Integer.parseInt(m.get("threadsBefore")), Integer.parseInt(m.get("threadsAfter")),
                    Integer.parseInt(m.get("peakThreads")), Integer.parseInt(m.get("coroutinesAlive")),
                    Integer.parseInt(m.get("fibersAlive")));
        }
    }

    // Every third body is suspended inside pcall, every third inside xpcall.
    private static final String ABANDON = """
            local n, track = ...
            local bodies = {
              function(x) coroutine.yield(x + 1) end,
              function(x) pcall(function() coroutine.yield(x + 1) end) end,
              function(x) xpcall(function() coroutine.yield(x + 1) end, debug.traceback) end,
            }
            for i = 1, n do
              local co = coroutine.create(bodies[i % 3 + 1])
              track(co)
              local ok, v = coroutine.resume(co, i)
              assert(ok and v == i + 1 and coroutine.status(co) == "suspended")
            end
            assert(debug.getinfo(1, "S").source == "=abandon", "call stack intact")
            assert(select(2, pcall(error, "e", 0)) == "e")
            """;

    private CoroutineLeakCheck() {}

    static Counts run(int coroutines) throws InterruptedException {
        var mx = ManagementFactory.getThreadMXBean();
        LuaState state = new LuaRuntime(LuaRuntime.Options.defaults()).newState();
        List<WeakReference<LuaValue>> tracked = new ArrayList<>();
        LuaValue track = new OneArgFunction() {
            @Override public LuaValue call(LuaValue co) {
                tracked.add(new WeakReference<>(co));
                return NONE;
            }
        };
        LuaValue chunk = state.load(ABANDON, "=abandon");
        LuaState previous = state.enter();
        try {
            chunk.call(LuaValue.valueOf(100), track); // warm up: carrier threads, JIT, cleaner thread
            settle(tracked);
            tracked.clear();
            mx.resetPeakThreadCount();
            int before = mx.getThreadCount();
            chunk.call(LuaValue.valueOf(coroutines), track);
            int alive = settle(tracked);
            return new Counts(LuaCoroutine.engine(), before, mx.getThreadCount(), mx.getPeakThreadCount(), alive,
                    Fiber.liveThreadFibers());
        } finally {
            LuaState.leave(previous);
        }
    }

    /** Collects garbage until the tracked coroutines and thread-backed fibers are gone (or 20 s pass). */
    private static int settle(List<WeakReference<LuaValue>> tracked) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        int alive;
        do {
            System.gc();
            Thread.sleep(50);
            alive = (int) tracked.stream().filter(r -> r.get() != null).count();
        } while ((alive > 0 || Fiber.liveThreadFibers() > 0) && System.nanoTime() < deadline);
        return alive;
    }
}
