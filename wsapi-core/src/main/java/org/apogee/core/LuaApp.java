package org.apogee.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apogee.core.lua.LuaExit;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * One WSAPI application file and its pool of prepared instances.
 *
 * <p>Loading follows WSAPI's rules: the file runs with its module name as {@code ...} and its own
 * folder as working directory; the app is what the chunk returns (a function, or a table with
 * {@code run}), else the table a {@code module(...)} call registered, else a global {@code run}.
 */
final class LuaApp {

    /** A prepared state with the app loaded in it. */
    static final class Instance {
        final LuaState state;
        final LuaValue app;
        final LuaEnv env;

        Instance(LuaState state, LuaValue app, LuaEnv env) {
            this.state = state;
            this.app = app;
            this.env = env;
        }
    }

    /** The app file could not be loaded (syntax error, no entry point, runtime error while loading). */
    static final class LoadException extends RuntimeException {
        LoadException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    final Path file;
    final String displayName;
    private final String moduleName;
    private final LuaRuntime runtime;
    private final StatePool<Instance> pool;
    private final boolean reload;
    private final boolean debug;
    private volatile Map<Path, Long> watched = Map.of();
    private volatile long lastCheck;

    LuaApp(Path file, String displayName, HostConfig config) {
        this.file = file;
        this.displayName = displayName;
        String base = file.getFileName().toString();
        int dot = base.lastIndexOf('.');
        this.moduleName = dot > 0 ? base.substring(0, dot) : base;
        Path dir = file.getParent();
        this.runtime = new LuaRuntime(config.lua().withWorkingDirectory(dir).withSearchDirectories(List.of(dir)));
        this.pool = new StatePool<>(config.instances(), this::load, instance -> instance.state.close());
        this.reload = config.reload();
        this.debug = config.debug();
    }

    StatePool.Slot<Instance> acquire(Duration timeout) throws InterruptedException {
        if (reload && changed()) pool.invalidate();
        return pool.acquire(timeout);
    }

    void release(StatePool.Slot<Instance> slot, boolean reusable) {
        pool.release(slot, reusable);
    }

    /** Closes every instance (busy ones when their request ends): their states run their close actions. */
    void close() {
        pool.close();
    }

    /** True when a file the app loaded has changed since (checked at most every 200 ms). */
    private boolean changed() {
        long now = System.nanoTime();
        if (now - lastCheck < 200_000_000L) return false;
        lastCheck = now;
        for (Map.Entry<Path, Long> e : watched.entrySet()) {
            try {
                if (Files.getLastModifiedTime(e.getKey()).toMillis() != e.getValue()) {
                    watched = Map.of();
                    return true;
                }
            } catch (IOException gone) {
                watched = Map.of();
                return true;
            }
        }
        return false;
    }

    private Instance load() {
        LuaState state = runtime.newState();
        state.setDebug(debug);
        LuaState previous = state.enter();
        try {
            LuaValue chunk;
            try (InputStream in = Files.newInputStream(file)) {
                state.loadedFiles().put(file, Files.getLastModifiedTime(file).toMillis());
                chunk = state.load(in, "@" + displayName, "bt", state);
            } catch (IOException e) {
                throw new LoadException(displayName + ": cannot read the app file: " + e.getMessage(), e);
            }
            LuaTable loaded = (LuaTable) state.get("package").get("loaded");
            setAppPath(state);
            loaded.set(moduleName, LuaValue.TRUE);
            Varargs result = chunk.invoke(LuaValue.valueOf(moduleName));
            if (result.arg1().toboolean()) loaded.set(moduleName, result.arg1());
            LuaValue app = entryPoint(result.arg1(), loaded.get(moduleName), state.get("run"));
            if (app == null) {
                throw new LoadException(displayName + ": not a WSAPI application: the file must return a function "
                        + "or a table with a 'run' function, or define a global 'run' function", null);
            }
            Instance instance = new Instance(state, app, new LuaEnv(displayName));
            if (reload) watched = Map.copyOf(state.loadedFiles());
            return instance;
        } catch (LuaError | LuaExit e) {
            throw new LoadException(ResponseDriver.details(e), e);
        } finally {
            LuaState.leave(previous);
        }
    }

    /**
     * {@code require("wsapi").app_path} and the global {@code wsapi.app_path} (one table) name the
     * app's folder before its file runs, as WSAPI's launchers do; Orbit reads it in {@code orbit.new}.
     */
    private void setAppPath(LuaState state) {
        LuaValue dir = LuaValue.valueOf(file.getParent().toString());
        LuaValue wsapi;
        try {
            wsapi = state.get("require").call(LuaValue.valueOf("wsapi"));
        } catch (LuaError notOnThePath) { // LUA_PATH without the bundled libraries
            wsapi = new LuaTable();
            state.set("wsapi", wsapi);
        }
        if (wsapi.istable()) wsapi.set("app_path", dir);
        LuaValue global = state.get("wsapi");
        if (global.istable() && global != wsapi) global.set("app_path", dir);
    }

    private static LuaValue entryPoint(LuaValue returned, LuaValue registered, LuaValue globalRun) {
        for (LuaValue candidate : new LuaValue[] {returned, registered}) {
            if (candidate.isfunction()) return candidate;
            if (candidate.istable() && candidate.get("run").isfunction()) return candidate.get("run");
        }
        return globalRun.isfunction() ? globalRun : null;
    }
}
