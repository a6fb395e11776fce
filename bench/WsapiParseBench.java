import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.apogee.core.lua.StreamSource;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Times the cases of bench/wsapi_parse.lua: for each, Apogee's path and the pure-Lua path, in
 * alternating rounds, in CPU time of this process (so GC and JIT threads count, and other load on
 * the machine does not). Prints the median time per operation of each path, their ratio, and the
 * heap each path allocates per operation.
 *
 * <p>Usage (see bench/wsapi-parse.sh): java -cp JARS bench/WsapiParseBench.java CASES.lua
 * [round seconds] [rounds]
 */
public class WsapiParseBench {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /**
     * A request body as the server hands it to apps: a Java stream for apogee.multipart, and
     * read(n) for Lua, which returns a fresh copy of the bytes (as reading from the socket does).
     */
    static final class BodyBytes extends LuaUserdata implements StreamSource {
        private final LuaString body;
        private int pos;

        BodyBytes(LuaString body) {
            super(body);
            this.body = body;
        }

        @Override public InputStream asStream() {
            InputStream in = new ByteArrayInputStream(body.m_bytes, body.m_offset + pos, body.m_length - pos);
            pos = body.m_length;
            return in;
        }

        @Override public LuaValue get(LuaValue key) {
            if (!key.tojstring().equals("read")) return NIL;
            return new VarArgFunction() {
                @Override public Varargs invoke(Varargs args) {
                    int n = args.isnoneornil(2) ? body.m_length - pos : args.checkint(2);
                    if (n <= 0 || pos >= body.m_length) return NIL;
                    n = Math.min(n, body.m_length - pos);
                    // a fresh copy, as the server's input reads the bytes from the socket
                    byte[] bytes = Arrays.copyOfRange(body.m_bytes, body.m_offset + pos, body.m_offset + pos + n);
                    pos += n;
                    return LuaString.valueUsing(bytes);
                }
            };
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Heap bytes one call allocates (on this thread, where all the Lua work runs). */
    private static double allocated(LuaValue fn) {
        int n = 20;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) fn.call();
        return (double) (THREADS.getCurrentThreadAllocatedBytes() - before) / n;
    }

    private static String kib(double bytes) {
        return String.format("%9.0f KiB", bytes / 1024);
    }

    private static long cpu() {
        return OS.getProcessCpuTime();
    }

    /** Runs fn until `seconds` of CPU time have passed; returns CPU nanoseconds per call. */
    private static double round(LuaValue fn, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = cpu();
        long now = start;
        int n = 0;
        while (now - start < budget) {
            fn.call();
            n++;
            now = cpu();
        }
        return (double) (now - start) / n;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String micros(double nanos) {
        return String.format("%10.1f us", nanos / 1000);
    }

    public static void main(String[] args) {
        Path cases = Path.of(args.length > 0 ? args[0] : "bench/wsapi_parse.lua");
        double roundSeconds = args.length > 1 ? Double.parseDouble(args[1]) : 0.25;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;

        LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.defaults());
        LuaState state = runtime.newState();
        LuaState previous = state.enter();
        try {
            state.set("bench_input", new OneArgFunction() {
                @Override public LuaValue call(LuaValue body) {
                    return new BodyBytes(body.checkstring());
                }
            });
            LuaTable list = (LuaTable) state.loadfile(cases.toString()).call();
            System.out.println("inputs: " + list.get("sizes").tojstring());
            System.out.printf("CPU time per operation (median of %d rounds of %.2f s; process CPU, GC included)%n", rounds, roundSeconds);
            System.out.printf("%-50s %13s %13s %8s   %13s %13s%n", "case", "Apogee", "pure Lua", "speed-up",
                    "Apogee heap", "pure Lua heap");
            for (int i = 1; i <= list.length(); i++) {
                LuaTable c = (LuaTable) list.get(i);
                LuaValue apogee = c.get(2), pure = c.get(3);
                round(apogee, roundSeconds * 3); // warm-up: JIT and caches
                round(pure, roundSeconds * 3);
                List<Double> a = new ArrayList<>(), p = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    a.add(round(apogee, roundSeconds));
                    p.add(round(pure, roundSeconds));
                }
                double ma = median(a), mp = median(p);
                System.out.printf("%-50s %s %s %7.1fx   %s %s%n", c.get(1).tojstring(), micros(ma), micros(mp), mp / ma,
                        kib(allocated(apogee)), kib(allocated(pure)));
                System.out.flush();
            }
        } finally {
            state.runEndActions();
            LuaState.leave(previous);
        }
    }
}
