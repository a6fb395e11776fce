package org.apogee.core.lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.ZeroArgFunction;

/** Coroutines cost no platform thread and leave nothing behind when abandoned, on both engines. */
class CoroutineThreadsTest {

    private static final int COROUTINES = 10_000;
    /** How many platform threads the JVM may add on its own (JIT, GC, cleaner) while coroutines run. */
    private static final int HANDFUL = 5;

    @Test
    void continuationEngineLeavesNothingBehind() throws Exception {
        assertEquals("continuation", LuaCoroutine.engine(), "the tests run with --add-exports java.base/jdk.internal.vm=ALL-UNNAMED");
        CoroutineLeakCheck.Counts c = CoroutineLeakCheck.run(COROUTINES);
        assertTrue(c.threadsAfter() - c.threadsBefore() <= HANDFUL, c.format());
        assertTrue(c.peakThreads() - c.threadsBefore() <= HANDFUL, c.format());
        assertEquals(0, c.coroutinesAlive(), c.format());
    }

    @Test
    void virtualThreadEngineLeavesNothingBehind() throws Exception {
        List<String> out = runChild("-Dapogee.coroutines.threads=true");
        String all = String.join("\n", out);
        CoroutineLeakCheck.Counts c = CoroutineLeakCheck.Counts.parse(line(out, "engine="));
        assertEquals("virtual-thread", c.engine(), all);
        assertTrue(c.threadsAfter() - c.threadsBefore() <= HANDFUL, all);
        assertTrue(c.peakThreads() - c.threadsBefore() <= HANDFUL, all);
        assertEquals(0, c.coroutinesAlive(), "abandoned coroutines still reachable\n" + all);
        assertEquals(0, c.fibersAlive(), "virtual threads of abandoned coroutines still alive\n" + all);
        assertEquals("blocking=x1slept2z3", line(out, "blocking="), all);
        assertEquals("exit=7,8", line(out, "exit="), all);
    }

    @Test
    void osExitInsideACoroutineEndsTheScript() {
        assertEquals("7,8", CoroutineBlocking.exitInsideCoroutine());
    }

    @Test
    void coroutineOnAVirtualThreadBlocksAndResumes() throws Exception {
        PipedOutputStream writer = new PipedOutputStream();
        PipedInputStream reader = new PipedInputStream(writer);
        LuaValue readLine = new ZeroArgFunction() {
            @Override public LuaValue call() {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                try {
                    for (int b; (b = reader.read()) != -1 && b != '\n'; ) line.write(b);
                } catch (IOException e) {
                    throw new LuaError(e.toString());
                }
                return valueOf(line.toString(StandardCharsets.UTF_8));
            }
        };
        String source = """
                local read = ...
                local co = coroutine.wrap(function()
                  local first = coroutine.yield("ready")
                  local line = read()
                  local second = coroutine.yield(first .. ":" .. line)
                  return second .. ":" .. read()
                end)
                local a = co()
                local b = co("one")
                local c = co("two")
                return a .. "|" .. b .. "|" .. c
                """;
        AtomicReference<Object> result = new AtomicReference<>();
        Thread lua = Thread.ofVirtual().start(() -> {
            try {
                LuaState state = new LuaRuntime(LuaRuntime.Options.defaults()).newState();
                result.set(CoroutineBlocking.run(state, source, readLine));
            } catch (Throwable t) {
                result.set(t);
            }
        });
        Thread.sleep(100);
        writer.write("hello\n".getBytes(StandardCharsets.UTF_8));
        writer.flush();
        Thread.sleep(100);
        writer.write("world\n".getBytes(StandardCharsets.UTF_8));
        writer.close();
        assertTrue(lua.join(java.time.Duration.ofSeconds(20)), "the Lua thread did not finish");
        assertEquals("ready|one:hello|two:world", String.valueOf(result.get()));
    }

    @Test
    void coroutinesSleepingOnVirtualThreadsDoNotHoldCarrierThreads() throws Exception {
        int threads = 40;
        long sleepMillis = 300;
        List<Thread> started = new ArrayList<>();
        List<AtomicReference<Object>> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            AtomicReference<Object> r = new AtomicReference<>();
            results.add(r);
            started.add(Thread.ofVirtual().start(() -> {
                try {
                    LuaState state = new LuaRuntime(LuaRuntime.Options.defaults()).newState();
                    r.set(CoroutineBlocking.run(state, CoroutineBlocking.HANDOFF.replace("co(20)", "co(" + sleepMillis + ")"),
                            CoroutineBlocking.sleeper()));
                } catch (Throwable t) {
                    r.set(t);
                }
            }));
        }
        for (Thread t : started) assertTrue(t.join(java.time.Duration.ofSeconds(30)));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        for (AtomicReference<Object> r : results) assertEquals("x1slept2z3", String.valueOf(r.get()));
        // One carrier per core: had each sleep pinned its carrier, this would take threads * sleep / cores.
        long pinned = threads * sleepMillis / Runtime.getRuntime().availableProcessors();
        assertTrue(elapsed < Math.max(pinned / 2, 2 * sleepMillis + 1000),
                "took " + elapsed + " ms; pinned carriers would take about " + pinned + " ms");
    }

    private static String line(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' line in:\n" + String.join("\n", out)));
    }

    /** Runs {@link CoroutineThreadsMain} in a child JVM with the test class path. */
    private static List<String> runChild(String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.addAll(List.of(jvmOptions));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CoroutineThreadsMain.class.getName());
        command.add(String.valueOf(COROUTINES));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output;
        try (var in = p.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish");
        }
        List<String> lines = new String(output, StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        return lines;
    }
}
