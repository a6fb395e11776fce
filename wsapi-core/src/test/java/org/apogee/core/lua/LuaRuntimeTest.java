package org.apogee.core.lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

class LuaRuntimeTest {

    @TempDir
    Path dir;

    private static LuaState newState(LuaRuntime.Options options) {
        return new LuaRuntime(options).newState();
    }

    /** Runs code in the state, with the state entered on this thread. */
    private static LuaValue eval(LuaState state, String code) {
        return state.run(code, "=test");
    }

    @Test
    void stringMetatableIsPerState() {
        LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.defaults());
        LuaState a = runtime.newState();
        LuaState b = runtime.newState();
        eval(a, "function string.shout(s) return s:upper() .. '!' end");

        assertEquals("X!", eval(a, "return ('x'):shout()").tojstring());
        assertThrows(LuaError.class, () -> eval(b, "return ('x'):shout()"));
        assertTrue(eval(b, "return string.shout").isnil());

        // The state that runs code must be entered on the running thread.
        LuaState previous = a.enter();
        try {
            assertEquals("Y!", a.load("return ('y'):shout()", "=a").call().tojstring());
            LuaState inner = b.enter();
            try {
                assertThrows(LuaError.class, () -> b.load("return ('y'):shout()", "=b").call());
                assertEquals("Y", b.load("return ('y'):upper()", "=b").call().tojstring());
            } finally {
                LuaState.leave(inner);
            }
            assertEquals("Z!", a.load("return ('z'):shout()", "=a").call().tojstring());
        } finally {
            LuaState.leave(previous);
        }
    }

    @Test
    void luaPathPutsItsEntriesFirstAndKeepsTheDefault() {
        LuaRuntime.Options options = new LuaRuntime.Options(dir, List.of(), "/x/?.lua;;", false, null, null);
        String path = eval(newState(options), "return package.path").tojstring();
        assertEquals("/x/?.lua;" + LuaRuntime.defaultPath(options), path);
        assertTrue(path.contains(";./?.lua;"), path);
        assertTrue(path.contains(LuaState.CLASSPATH_PREFIX + "lua/?.lua"), path);
    }

    @Test
    void luaPathWithoutDoubleSemicolonReplacesTheDefault() {
        LuaRuntime.Options options = new LuaRuntime.Options(dir, List.of(), "/y/?.lua;/z/?.lua", false, null, null);
        assertEquals("/y/?.lua;/z/?.lua", eval(newState(options), "return package.path").tojstring());
        LuaRuntime.Options leading = new LuaRuntime.Options(dir, List.of(), ";;/y/?.lua", false, null, null);
        assertEquals(LuaRuntime.defaultPath(leading) + ";/y/?.lua", eval(newState(leading), "return package.path").tojstring());
    }

    @Test
    void requireFollowsLuaPath() throws Exception {
        Path x = Files.createDirectories(dir.resolve("x"));
        Files.writeString(x.resolve("frompath.lua"), "return 'found through LUA_PATH'");
        LuaRuntime.Options options = new LuaRuntime.Options(dir.resolve("elsewhere"), List.of(), x + "/?.lua;;", false, null, null);
        LuaState state = newState(options);
        assertEquals("found through LUA_PATH", eval(state, "return require 'frompath'").tojstring());
        assertEquals("table", eval(state, "return type(require 'apogee.spec')").tojstring());
    }

    @Test
    void requireFindsModulesInSearchDirectories() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.createDirectories(lib.resolve("pkg"));
        Files.writeString(lib.resolve("greeter.lua"), "return { hello = function(n) return 'hello ' .. n end }");
        Files.writeString(lib.resolve("pkg/init.lua"), "return { name = ... }");
        Path work = Files.createDirectories(dir.resolve("work"));

        LuaState state = newState(LuaRuntime.Options.defaults().withWorkingDirectory(work).withSearchDirectories(List.of(lib)));
        assertEquals("hello you", eval(state, "return require('greeter').hello('you')").tojstring());
        assertEquals("pkg", eval(state, "return require('pkg').name").tojstring());

        LuaState without = newState(LuaRuntime.Options.defaults().withWorkingDirectory(work));
        LuaError e = assertThrows(LuaError.class, () -> eval(without, "return require('greeter')"));
        assertTrue(e.getMessage().contains("module 'greeter' not found"), e.getMessage());
    }

    @Test
    void workingDirectoryComesFirst() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.writeString(lib.resolve("which.lua"), "return 'search directory'");
        Files.writeString(work.resolve("which.lua"), "return 'working directory'");
        LuaState state = newState(LuaRuntime.Options.defaults().withWorkingDirectory(work).withSearchDirectories(List.of(lib)));
        assertEquals("working directory", eval(state, "return require 'which'").tojstring());
    }

    @Test
    void chdirMovesRelativeNames() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(a.resolve("f.lua"), "return 'a'");
        Files.writeString(b.resolve("f.lua"), "return 'b'");
        LuaState state = newState(LuaRuntime.Options.defaults().withWorkingDirectory(a));
        assertEquals("a", eval(state, "return dofile 'f.lua'").tojstring());
        state.chdir(Path.of("../b"));
        assertEquals(b, state.cwd());
        assertEquals("b", eval(state, "return dofile 'f.lua'").tojstring());
        eval(state, "local f = io.open('written.txt', 'w'); f:write('x'); f:close()");
        assertEquals("x", Files.readString(b.resolve("written.txt")));
    }

    @Test
    void osExitThrowsLuaExit() {
        LuaState state = newState(LuaRuntime.Options.defaults());
        assertEquals(3, assertThrows(LuaExit.class, () -> eval(state, "os.exit(3)")).status());
        assertEquals(0, assertThrows(LuaExit.class, () -> eval(state, "os.exit()")).status());
        assertEquals(0, assertThrows(LuaExit.class, () -> eval(state, "os.exit(true)")).status());
        assertEquals(1, assertThrows(LuaExit.class, () -> eval(state, "os.exit(false)")).status());
        // The state is still usable.
        assertEquals(2, eval(state, "return 1 + 1").toint());
    }

    @Test
    void pcallDoesNotCatchOsExit() {
        LuaState state = newState(LuaRuntime.Options.defaults());
        assertEquals(3, assertThrows(LuaExit.class, () -> eval(state, "pcall(os.exit, 3)")).status());
        assertEquals(4, assertThrows(LuaExit.class, () -> eval(state, "pcall(function() os.exit(4) end)")).status());
        assertEquals(5, assertThrows(LuaExit.class, () -> eval(state, "xpcall(function() os.exit(5) end, debug.traceback)")).status());
        assertEquals("ok", eval(state, "local ok = pcall(error, 'x'); return ok == false and 'ok'").tojstring());
        // Nothing is left on the call stack by the frames os.exit unwound.
        assertEquals("=test", eval(state, "return debug.getinfo(1, 'S').source").tojstring());
        assertTrue(eval(state, "return debug.getinfo(2, 'S')").isnil());
    }

    @Test
    void luajavaOnlyWithAllowJava() {
        LuaState plain = newState(LuaRuntime.Options.defaults());
        assertTrue(eval(plain, "return luajava").isnil());
        assertThrows(LuaError.class, () -> eval(plain, "return require 'org.luaj.vm2.lib.jse.LuajavaLib'"));
        assertTrue(eval(plain, "return luajava").isnil());

        LuaState java = newState(LuaRuntime.Options.defaults().withAllowJava(true));
        assertEquals("table", eval(java, "return type(luajava)").tojstring());
        assertEquals(3, eval(java, "return luajava.bindClass('java.lang.Math'):abs(-3)").toint());
    }

    @Test
    void errorsFromACoroutineWrapKeepTheCoroutineTracebackForJava() {
        LuaState state = newState(LuaRuntime.Options.defaults());
        LuaValue iterator = state.run("""
                return coroutine.wrap(function()
                  coroutine.yield("first")
                  local function render() error("in the iterator") end
                  render()
                end)
                """, "@iterator.lua");
        LuaState previous = state.enter();
        try {
            assertEquals("first", iterator.call().tojstring());
            LuaError e = assertThrows(LuaError.class, iterator::call);
            assertEquals("iterator.lua:3: in the iterator", org.luaj.vm2.LuaErrorValue.of(e).tojstring());
            assertTrue(e.getMessage().contains("stack traceback:"), e.getMessage());
            assertTrue(e.getMessage().contains("iterator.lua:4:"), e.getMessage());
        } finally {
            LuaState.leave(previous);
        }
    }

    @Test
    void uncaughtErrorsKeepTheirTraceback() {
        LuaState state = newState(LuaRuntime.Options.defaults());
        LuaError e = assertThrows(LuaError.class, () -> state.run("local function f() error('deep') end\nf()", "@app.lua"));
        assertTrue(e.getMessage().contains("deep"), e.getMessage());
        assertTrue(e.getMessage().contains("stack traceback:"), e.getMessage());
    }

    @Test
    void apogeeConfigTellsDevelopmentFromProductionAndIsReadOnly() {
        LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.defaults());
        LuaState production = runtime.newState();
        assertEquals("false production", eval(production, "local c = require 'apogee.config' return tostring(c.debug) .. ' ' .. c.mode").tojstring());
        LuaState development = runtime.newState();
        development.setDebug(true);
        assertEquals("true development", eval(development, "local c = require 'apogee.config' return tostring(c.debug) .. ' ' .. c.mode").tojstring());
        LuaError e = assertThrows(LuaError.class, () -> eval(production, "require('apogee.config').debug = true"));
        assertTrue(e.getMessage().contains("apogee.config is read-only"), e.getMessage());
    }
}
