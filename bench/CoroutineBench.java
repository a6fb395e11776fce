import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import org.apogee.core.lua.LuaCoroutine;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * The cost of one {@code coroutine.wrap} with two yields (create + 3 calls), measured in Lua, warm,
 * in microseconds per coroutine. Run by bench/coroutines.sh with the JDK's source launcher:
 *
 * <pre>java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -cp CLASSPATH bench/CoroutineBench.java CASE...</pre>
 *
 * Cases: {@code apogee} (Apogee's coroutine library, driven from a platform thread),
 * {@code apogee-vthread} (the same, driven from a virtual thread as in the server) and {@code luaj}
 * (stock LuaJ 3.0.1, a platform thread per coroutine). Which engine Apogee uses (continuations or
 * the virtual-thread fallback) depends on {@code -Dapogee.coroutines.threads}. Each case prints a
 * line {@code RESULT <case> <engine> <median µs> <min µs>}.
 */
public class CoroutineBench {

    static final String LUA = """
            local wrap, yield = coroutine.wrap, coroutine.yield
            local function body() yield(1) yield(2) end
            return function(n)
              for i = 1, n do
                local f = wrap(body)
                f() f() f()
              end
            end
            """;

    public static void main(String[] args) throws Exception {
        double warmSeconds = Double.parseDouble(System.getProperty("bench.warmup", "2"));
        double measureSeconds = Double.parseDouble(System.getProperty("bench.measure", "3"));
        for (String c : args) {
            switch (c) {
                case "apogee" -> run(c, LuaCoroutine.engine(), CoroutineBench::apogeeLoop, warmSeconds, measureSeconds, false);
                case "apogee-vthread" -> run(c, LuaCoroutine.engine(), CoroutineBench::apogeeLoop, warmSeconds, measureSeconds, true);
                case "luaj" -> run(c, "platform-thread", CoroutineBench::luajLoop, warmSeconds, measureSeconds, false);
                default -> throw new IllegalArgumentException("unknown case " + c + " (apogee, apogee-vthread, luaj)");
            }
        }
    }

    /** Builds the loop function in a fresh state of the given kind; must run on the measuring thread. */
    interface LoopFactory {
        LuaValue create();
    }

    static LuaValue apogeeLoop() {
        LuaState state = new LuaRuntime(LuaRuntime.Options.defaults()).newState();
        state.enter();   // left entered: this thread runs only this state
        return state.load(LUA, "=bench").call();
    }

    static LuaValue luajLoop() {
        Globals g = JsePlatform.standardGlobals();
        return g.load(LUA, "=bench").call();
    }

    static void run(String name, String engine, LoopFactory factory, double warmSeconds, double measureSeconds,
                    boolean onVirtualThread) throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        Runnable task = () -> {
            try {
                result.set(measure(factory.create(), warmSeconds, measureSeconds));
            } catch (Throwable t) {
                result.set(t);
            }
        };
        Thread t = onVirtualThread ? Thread.ofVirtual().start(task) : Thread.ofPlatform().start(task);
        t.join();
        if (result.get() instanceof Throwable e) throw new RuntimeException(name + " failed", e);
        double[] us = (double[]) result.get();
        System.out.printf("RESULT %s %s %.3f %.3f%n", name, engine, us[0], us[1]);
    }

    /** Returns {median, min} microseconds per coroutine over batches of about 100 ms. */
    static double[] measure(LuaValue loop, double warmSeconds, double measureSeconds) {
        // batch size: about 100 ms of work
        int batch = 16;
        while (true) {
            long t0 = System.nanoTime();
            loop.call(LuaValue.valueOf(batch));
            long ns = System.nanoTime() - t0;
            if (ns > 20_000_000L || batch >= 1 << 24) {
                batch = (int) Math.max(16, Math.min(1L << 24, batch * 100_000_000L / Math.max(1, ns)));
                break;
            }
            batch *= 4;
        }
        long warmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
        while (System.nanoTime() < warmEnd) loop.call(LuaValue.valueOf(batch));
        int rounds = Math.max(3, (int) Math.round(measureSeconds * 10));
        double[] perCoroutine = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            loop.call(LuaValue.valueOf(batch));
            perCoroutine[r] = (System.nanoTime() - t0) / 1000.0 / batch;
        }
        Arrays.sort(perCoroutine);
        return new double[] {perCoroutine[rounds / 2], perCoroutine[0]};
    }
}
