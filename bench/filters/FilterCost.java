import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The CPU time the filters add to a request, in process: runs each app of bench/filters/cost.lua
 * N times per round, alternating apps, for ROUNDS rounds, and prints the median thread CPU time per
 * request (CPU time, not wall time, so other load on the machine matters less). Ends each round's
 * "requests" as the server does (end-of-request actions).
 * Usage: java -cp <apogee jars> bench/filters/FilterCost.java [N] [ROUNDS]
 */
public class FilterCost {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        Path dir = Path.of("bench", "filters").toAbsolutePath();
        LuaState state = new LuaRuntime(LuaRuntime.Options.fromProcess(dir)).newState();
        LuaState previous = state.enter();
        try {
            Varargs setup = state.loadfile(dir.resolve("cost.lua").toString()).arg1().invoke();
            LuaTable apps = (LuaTable) setup.arg(1);
            LuaTable order = (LuaTable) setup.arg(2);
            LuaValue run = setup.arg(3);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Map<String, List<Double>> micros = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int i = 1; i <= order.length(); i++) {
                    String name = order.get(i).tojstring();
                    long t0 = mx.getCurrentThreadCpuTime();
                    run.call(apps.get(name), LuaValue.valueOf(n));
                    long t1 = mx.getCurrentThreadCpuTime();
                    state.runEndActions();
                    micros.computeIfAbsent(name, k -> new ArrayList<>()).add((t1 - t0) / 1000.0 / n);
                }
            }
            double bare = median(micros.get("bare"));
            System.out.printf("CPU time per request, median of %d rounds of %d requests (in process, no HTTP):%n", rounds, n);
            for (Map.Entry<String, List<Double>> e : micros.entrySet()) {
                double m = median(e.getValue());
                System.out.printf("  %-20s %6.2f µs  (+%.2f µs over bare)%n", e.getKey(), m, m - bare);
            }
        } finally {
            LuaState.leave(previous);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
