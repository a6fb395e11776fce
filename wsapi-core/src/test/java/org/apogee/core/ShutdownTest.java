package org.apogee.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping: the shutdown registry, closing Lua states, pools and hosts. */
class ShutdownTest {

    @TempDir Path tmp;

    @Test
    void theRegistryRunsEachActionOnceNewestFirstAndSkipsWithdrawnOnes() {
        List<String> ran = new ArrayList<>();
        ShutdownHooks.register("first", () -> ran.add("first"));
        ShutdownHooks.register("failing", () -> { throw new IllegalStateException("boom"); });
        ShutdownHooks.Registration withdrawn = ShutdownHooks.register("withdrawn", () -> ran.add("withdrawn"));
        ShutdownHooks.register("last", () -> ran.add("last"));
        withdrawn.close();
        assertEquals(List.of("first", "failing", "last"), ShutdownHooks.registered());
        ShutdownHooks.runAll();
        assertEquals(List.of("last", "first"), ran, "a failing action does not stop the others");
        assertEquals(List.of(), ShutdownHooks.registered());
        ShutdownHooks.runAll();
        assertEquals(List.of("last", "first"), ran, "run once");
    }

    @Test
    void closingAStateRunsItsEndAndCloseActionsOnceAndLaterOnesAtOnce() {
        LuaState state = new LuaRuntime(LuaRuntime.Options.defaults()).newState();
        List<String> ran = new ArrayList<>();
        state.atEnd(() -> ran.add("end"));
        state.atClose(() -> ran.add("close 1"));
        AutoCloseable withdrawn = state.atClose(() -> ran.add("withdrawn"));
        state.atClose(() -> {
            assertSame(state, LuaState.current(), "close actions run with the state entered");
            ran.add("close 2");
        });
        assertDoesNotThrow(withdrawn);
        state.close();
        state.close();
        assertEquals(List.of("end", "close 2", "close 1"), ran);
        assertNull(LuaState.current(), "nothing left in the thread-local");
        state.atClose(() -> ran.add("late"));
        assertEquals("late", ran.get(ran.size() - 1), "a closed state runs a new close action at once");
        assertTrue(state.isClosed());
    }

    @Test
    void aClosedPoolDisposesOfIdleInstancesNowAndBusyOnesWhenReturned() throws Exception {
        AtomicInteger made = new AtomicInteger();
        List<Integer> disposed = new ArrayList<>();
        StatePool<Integer> pool = new StatePool<>(2, made::incrementAndGet, disposed::add);
        StatePool.Slot<Integer> a = pool.acquire(Duration.ofSeconds(1));
        StatePool.Slot<Integer> b = pool.acquire(Duration.ofSeconds(1));
        pool.release(a, true);
        pool.close();
        assertEquals(List.of(1), disposed, "the idle one");
        pool.release(b, true);
        assertEquals(List.of(1, 2), disposed, "the busy one when it came back");
        assertNull(pool.acquire(Duration.ofMillis(10)), "a closed pool lends nothing");
        assertEquals(0, pool.idleCount());
    }

    @Test
    void aReloadOrABrokenInstanceIsDisposedOf() throws Exception {
        AtomicInteger made = new AtomicInteger();
        List<Integer> disposed = new ArrayList<>();
        StatePool<Integer> pool = new StatePool<>(2, made::incrementAndGet, disposed::add);
        StatePool.Slot<Integer> a = pool.acquire(Duration.ofSeconds(1));
        pool.release(a, false);
        assertEquals(List.of(1), disposed);
        StatePool.Slot<Integer> b = pool.acquire(Duration.ofSeconds(1));
        pool.release(b, true);
        pool.invalidate();
        assertEquals(List.of(1, 2), disposed);
    }

    @Test
    void aClosedHostAnswers503() throws Exception {
        Path app = tmp.resolve("app.lua");
        Files.writeString(app, """
                return function(env)
                  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("ok") end)
                end
                """);
        WsapiHost host = new WsapiHost(HostConfig.of(app).withInstances(1));
        assertEquals(200, serve(host));
        host.close();
        assertEquals(503, serve(host));
        host.close();
    }

    private static int serve(WsapiHost host) {
        int[] status = {0};
        StringBuilder body = new StringBuilder();
        host.handle(WsapiRequest.builder("GET", "/").build(), new ResponseSink() {
            @Override public void start(int s, String reason, List<Header> h, long length, boolean headOnly) { status[0] = s; }
            @Override public void write(byte[] b, int off, int len) { body.append(new String(b, off, len, StandardCharsets.UTF_8)); }
            @Override public void flush() {}
            @Override public void finish() {}
            @Override public void abort(Throwable cause) { status[0] = -1; }
        });
        return status[0];
    }

    private static void assertDoesNotThrow(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
