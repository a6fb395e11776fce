package org.apogee.core.lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.ZeroArgFunction;

/** Rings and the thread's current state: code in a ring runs with the ring as the current state. */
class RingsTest {

    private static final LuaRuntime JAVA_ALLOWED = new LuaRuntime(LuaRuntime.Options.defaults().withAllowJava(true));
    private static final LuaRuntime PLAIN = new LuaRuntime(LuaRuntime.Options.defaults());

    /** In Lua: true when the state running this code is the thread's current state. */
    private static final String IS_CURRENT =
            "(luajava.bindClass('org.apogee.core.lua.LuaState'):current() == _G)";

    @Test
    void theRingIsCurrentWhileItsCodeRunsAndTheCallerAfterwards() {
        LuaState master = JAVA_ALLOWED.newState();
        LuaValue r = master.run(
                "local S = require('rings').new()\n"
                + "local before = " + IS_CURRENT + "\n"
                + "local ok, inside = S:dostring('return " + IS_CURRENT.replace("'", "\\'") + "')\n"
                + "local after = " + IS_CURRENT + "\n"
                + "local _, _, remote = S:dostring([[return remotedostring('return " + IS_CURRENT.replace("'", "\\'") + "')]])\n"
                + "local _, back = S:dostring([[remotedostring('return 1'); return " + IS_CURRENT + "]])\n"
                + "local _, failed = S:dostring('error(\"boom\")')\n"
                + "local after_error = " + IS_CURRENT + "\n"
                + "return tostring(before) .. tostring(ok) .. tostring(inside) .. tostring(after) .. tostring(remote)"
                + " .. tostring(back) .. tostring(after_error)",
                "=test");
        assertEquals("truetruetruetruetruetruetrue", r.tojstring());
        assertNull(LuaState.current(), "nothing stays entered on the calling thread");
    }

    @Test
    void callingFromJavaWithoutAnEnteredStateLeavesNoneEntered() {
        LuaState master = PLAIN.newState();
        LuaValue ring = master.run("return require('rings').new()", "=test");
        assertNull(LuaState.current());
        LuaValue dostring = ring.get("dostring");
        assertEquals("HI", dostring.invoke(LuaValue.varargsOf(ring, LuaValue.valueOf("return ('hi'):upper()"))).arg(2).tojstring());
        assertNull(LuaState.current());
    }

    @Test
    void aRequestErrorFromTheCreatorPassesThroughTheRing() {
        LuaState master = PLAIN.newState();
        master.set("body_too_large", new ZeroArgFunction() {
            @Override public LuaValue call() {
                throw new HttpError(413, "request body exceeds the limit");
            }
        });
        HttpError e = assertThrows(HttpError.class, () -> master.run(
                "local S = require('rings').new()\n"
                + "return S:dostring([[return remotedostring('body_too_large()')]])", "=test"));
        assertEquals(413, e.status());
        // an ordinary error stays a result
        assertEquals("false", master.run(
                "local S = require('rings').new()\n"
                + "local _, ok = S:dostring([[return remotedostring('no_such()')]])\n"
                + "return tostring(ok)", "=test").tojstring());
    }

    @Test
    void ringsOnManyThreadsKeepTheirStringTablesApart() throws Exception {
        int threads = 4;
        int rounds = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String name = "m" + t;
                Callable<String> work = () -> {
                    LuaState master = PLAIN.newState();
                    master.run("function string.tag(s) return 'master-" + name + ":' .. s end\n"
                            + "ring = require('rings').new()\n"
                            + "ring:dostring([[function string.tag(s) return 'ring-" + name + ":' .. s end]])", "=setup");
                    start.await();
                    return master.run(
                            "for i = 1, " + rounds + " do\n"
                            + "  local ok, v = ring:dostring('return (...):tag()', tostring(i))\n"
                            + "  if v ~= 'ring-" + name + ":' .. i then return 'ring gave ' .. tostring(v) end\n"
                            + "  local m = tostring(i):tag()\n"
                            + "  if m ~= 'master-" + name + ":' .. i then return 'master gave ' .. m end\n"
                            + "  local _, _, r = ring:dostring([[return remotedostring('return (...):tag()', 'x')]])\n"
                            + "  if r ~= 'master-" + name + ":x' then return 'remote gave ' .. tostring(r) end\n"
                            + "end\n"
                            + "return 'ok'", "=work").tojstring();
                };
                results.add(pool.submit(work));
            }
            start.countDown();
            for (Future<String> f : results) assertEquals("ok", f.get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRingStartsWhereItsCreatorIs() throws Exception {
        LuaState master = PLAIN.newState();
        Path tmp = Files.createTempDirectory("rings");
        Path marker = tmp.resolve("marker.txt");
        try {
            Files.writeString(marker, "in the creator's folder");
            master.chdir(tmp);
            LuaValue r = master.run("package.path = './?.lua;/extra/?.lua'\n"
                    + "local S = require('rings').new()\n"
                    + "local _, text, path = S:dostring('local f = io.open(\"marker.txt\"); return f:read(\"*a\"), package.path')\n"
                    + "return text .. '|' .. path", "=test");
            assertEquals("in the creator's folder|./?.lua;/extra/?.lua", r.tojstring());
        } finally {
            Files.deleteIfExists(marker);
            Files.deleteIfExists(tmp);
        }
    }

    @Test
    void aRingIsAFreshStateOfTheSameRuntime() {
        LuaState master = PLAIN.newState();
        master.run("S = require('rings').new()", "=test");
        LuaValue handle = master.get("S");
        RingsLib.Ring ring = (RingsLib.Ring) handle.checkuserdata();
        assertTrue(ring.child != master);
        assertSame(master.runtime(), ring.child.runtime());
        assertSame(master, ring.master);
        master.run("S:close()", "=test");
        assertNull(ring.child);
    }
}
