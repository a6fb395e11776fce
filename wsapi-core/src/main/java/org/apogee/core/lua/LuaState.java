package org.apogee.core.lua;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.ResourceFinder;

/**
 * One Lua state ("instance"): LuaJ {@link Globals} plus what Apogee adds so that each state is
 * really its own — a virtual working directory and the state's own {@code string} table.
 *
 * <p>Not thread-safe, like every {@code Globals}: one request (or one caller) at a time.
 * Built by {@link LuaRuntime#newState()}.
 */
public final class LuaState extends Globals {

    private static final ThreadLocal<LuaState> CURRENT = new ThreadLocal<>();

    /** Prefix of {@code package.path} entries that name resources on the class path. */
    public static final String CLASSPATH_PREFIX = "classpath:";

    private final LuaRuntime runtime;
    private Path cwd;
    private boolean debug;
    LuaTable stringTable;

    LuaState(LuaRuntime runtime, Path cwd) {
        this.runtime = runtime;
        this.cwd = cwd.toAbsolutePath().normalize();
        this.finder = ownFinder;
    }

    private final ResourceFinder ownFinder = new Finder();
    private final Map<Path, Long> loadedFiles = new HashMap<>();

    /** Files this state read through loadfile, dofile or require, with their modification times then. */
    public Map<Path, Long> loadedFiles() {
        return loadedFiles;
    }

    ResourceFinder stateFinder() {
        return ownFinder;
    }

    public LuaRuntime runtime() {
        return runtime;
    }

    /**
     * True when the host that owns this state runs in development mode ({@code --debug}); Lua code
     * reads it as {@code require("apogee.config").debug}. False (production) unless set.
     */
    public boolean debug() {
        return debug;
    }

    /** Set by the host before the app's code runs in this state. */
    public void setDebug(boolean debug) {
        this.debug = debug;
    }

    /** The state whose Lua code runs on this thread, or null. */
    public static LuaState current() {
        return CURRENT.get();
    }

    /** Marks this state as the one running on the calling thread; returns the previous one. */
    public LuaState enter() {
        LuaState previous = CURRENT.get();
        if (previous != this) CURRENT.set(this);
        return previous;
    }

    /** Restores what {@link #enter()} returned. */
    public static void leave(LuaState previous) {
        // remove rather than set null: a pooled container thread keeps no entry of this class loader's
        if (previous == null) CURRENT.remove();
        else CURRENT.set(previous);
    }

    static void enterThread(Globals g) {
        if (g instanceof LuaState s && CURRENT.get() != s) CURRENT.set(s);
    }

    private final java.util.ArrayList<Runnable> cleanups = new java.util.ArrayList<>();

    /** Runs {@code action} when the current request (or script) ends: temporary files and the like. */
    public void atEnd(Runnable action) {
        cleanups.add(action);
    }

    /** Runs and forgets what {@link #atEnd} collected. Errors in one action do not stop the others. */
    public void runEndActions() {
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            try {
                cleanups.get(i).run();
            } catch (RuntimeException e) {
                System.getLogger("apogee").log(System.Logger.Level.WARNING, "cleanup failed", e);
            }
        }
        cleanups.clear();
    }

    private final java.util.LinkedHashSet<Runnable> closeActions = new java.util.LinkedHashSet<>();
    private boolean closed;

    /**
     * Runs {@code action} when this state is closed (its pool is closed, or it is dropped): what lives
     * as long as the state, such as a database connection the app keeps open. {@link AutoCloseable#close()}
     * on the result withdraws it (the resource was closed by other means). A state closed already runs
     * the action at once.
     */
    public AutoCloseable atClose(Runnable action) {
        synchronized (closeActions) {
            if (!closed) {
                closeActions.add(action);
                return () -> {
                    synchronized (closeActions) {
                        closeActions.remove(action);
                    }
                };
            }
        }
        action.run();
        return () -> {};
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        synchronized (closeActions) {
            return closed;
        }
    }

    /**
     * Ends this state: runs what {@link #atEnd} still holds, then what {@link #atClose} registered,
     * newest first. Errors in one action do not stop the others. The state must not run Lua afterwards.
     */
    public void close() {
        java.util.List<Runnable> due;
        synchronized (closeActions) {
            if (closed) return;
            closed = true;
            due = new java.util.ArrayList<>(closeActions);
            closeActions.clear();
        }
        LuaState previous = enter();
        try {
            runEndActions();
            for (int i = due.size() - 1; i >= 0; i--) {
                try {
                    due.get(i).run();
                } catch (RuntimeException e) {
                    System.getLogger("apogee").log(System.Logger.Level.WARNING, "closing a Lua state: an action failed", e);
                }
            }
        } finally {
            leave(previous);
        }
    }

    public Path cwd() {
        return cwd;
    }

    public void chdir(Path dir) {
        this.cwd = resolve(dir.toString());
    }

    /** Resolves a Lua-side file name against this state's working directory. */
    public Path resolve(String name) {
        return cwd.resolve(name).normalize();
    }

    /** Runs a chunk of Lua source in this state (used for bootstrapping). */
    public LuaValue run(String source, String chunkName) {
        LuaState previous = enter();
        try {
            return load(source, chunkName).call();
        } finally {
            leave(previous);
        }
    }

    /** Finds files for loadfile, dofile and require: the working directory, then the class path. */
    private final class Finder implements ResourceFinder {
        @Override
        public InputStream findResource(String filename) {
            if (filename.startsWith(CLASSPATH_PREFIX)) {
                String name = filename.substring(CLASSPATH_PREFIX.length());
                if (name.startsWith("/")) name = name.substring(1);
                return LuaState.class.getClassLoader().getResourceAsStream(name);
            }
            try {
                Path p = resolve(filename);
                if (!Files.isRegularFile(p)) return null;
                loadedFiles.put(p, Files.getLastModifiedTime(p).toMillis());
                return Files.newInputStream(p);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
