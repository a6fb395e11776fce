package org.apogee.core.lua;

import java.io.ByteArrayInputStream;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaErrorValue;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code require "rings"}: Lua states inside a Lua state, as Kepler's Rings offers them.
 *
 * <p>{@code rings.new([env])} makes a <em>ring</em>: a fresh state from the same runtime (its own
 * globals, {@code package.loaded} and {@code string} table) that starts with the creator's
 * {@code package.path} and working directory. {@code ring:dostring(code, ...)} compiles
 * {@code code} in the ring (once per distinct string) and calls it with the arguments; it returns
 * {@code true} and the results, or {@code false} and the error message with a stack traceback. Only
 * nil, booleans, numbers and strings cross between states; anything else arrives as nil.
 * Inside the ring, {@code remotedostring(code, ...)} is the mirror image: the code runs in the
 * creating state with {@code env} as its globals (by default the creator's globals).
 * {@code require "stable"} inside a ring gives {@code get}/{@code set} on a table kept by the
 * creating state, which outlives the rings.
 *
 * <p>While code runs in a ring, the ring is the current state of the thread (its string methods,
 * its working directory); the caller's state is current again afterwards.
 *
 * <p>An {@link HttpError} (a request body over the limit, an unreadable body) is not a result of
 * the code: it passes through {@code dostring} and {@code remotedostring}, so the server still
 * answers it with its status.
 */
final class RingsLib {

    private static final int CACHE_SIZE = 256;
    private static final LuaString PERSISTENT = LuaValue.valueOf("_state_persistent_table_");
    private static final String NOT_A_RING_METATABLE = "You're not allowed to get the metatable of a Lua State";

    /** Each ring's state and the ring it belongs to, for {@code require "stable"}. */
    private static final Map<LuaState, WeakReference<Ring>> RINGS = Collections.synchronizedMap(new WeakHashMap<>());

    private static final LuaTable METATABLE = new LuaTable();

    static {
        LuaTable methods = new LuaTable();
        methods.set("dostring", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return check(args.arg1(), "dostring").dostring(args.checkstring(2), args.subargs(3));
            }
        });
        methods.set("close", new OneArgFunction() {
            @Override public LuaValue call(LuaValue self) {
                if (!(self instanceof LuaUserdata u) || !(u.m_instance instanceof Ring ring)) {
                    throw new LuaError("bad argument #1 to 'close' (not a Lua State)");
                }
                return ring.close() ? TRUE : NIL;
            }
        });
        METATABLE.set(LuaValue.INDEX, methods);
        METATABLE.set(LuaValue.TOSTRING, new OneArgFunction() {
            @Override public LuaValue call(LuaValue self) {
                return valueOf(self.checkuserdata().toString());
            }
        });
        METATABLE.set(LuaValue.METATABLE, LuaValue.valueOf(NOT_A_RING_METATABLE));
    }

    private RingsLib() {}

    /** The {@code rings} module for {@code state}; also sets the global {@code rings}, as Rings does. */
    static LuaValue create(LuaState state) {
        LuaTable module = new LuaTable();
        module.set("new", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaValue env = args.arg1();
                if (env.isnil()) {
                    LuaValue m = state.get("_M");
                    env = m.istable() ? m : state;
                } else if (!env.istable()) {
                    throw new LuaError("bad argument #1 to 'new' (table expected, got " + env.typename() + ")");
                }
                return new Ring(state, (LuaTable) env).handle;
            }
        });
        module.set("_VERSION", "Rings 1.3.0");
        module.set("_DESCRIPTION", "Rings: Multiple Lua States");
        module.set("_COPYRIGHT", "Apogee's Rings for LuaJ");
        state.set("rings", module);
        return module;
    }

    /**
     * The {@code stable} module: {@code get(key)} and {@code set(key, value)} on a table the creating
     * state keeps in its global {@code _state_persistent_table_}. Only inside a ring.
     */
    static LuaValue stable(LuaState state) {
        WeakReference<Ring> ref = RINGS.get(state);
        Ring ring = ref == null ? null : ref.get();
        if (ring == null) {
            throw new LuaError("module 'stable' works only inside a ring (a state made by rings.new): "
                    + "it keeps its table in the state that made the ring");
        }
        LuaState master = ring.master;
        persistentTable(master);
        LuaTable module = new LuaTable();
        module.set("get", new OneArgFunction() {
            @Override public LuaValue call(LuaValue key) {
                LuaValue k = copy(key);
                return k.isnil() ? NIL : copy(persistentTable(master).rawget(k));
            }
        });
        module.set("set", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue key, LuaValue value) {
                LuaValue k = copy(key);
                if (k.isnil()) throw new LuaError("bad argument #1 to 'set' (a nil, boolean, number or string key is needed; got "
                        + key.typename() + ")");
                persistentTable(master).rawset(k, copy(value));
                return NIL;
            }
        });
        module.set("_VERSION", "Stable 1.0");
        module.set("_DESCRIPTION", "State persistent table");
        state.set("stable", module);
        return module;
    }

    private static LuaTable persistentTable(LuaState master) {
        LuaValue t = master.rawget(PERSISTENT);
        if (t.istable()) return (LuaTable) t;
        LuaTable fresh = new LuaTable();
        master.rawset(PERSISTENT, fresh);
        return fresh;
    }

    private static Ring check(LuaValue self, String method) {
        if (!(self instanceof LuaUserdata u) || !(u.m_instance instanceof Ring ring)) {
            throw new LuaError("bad argument #1 to '" + method + "' (not a Lua State)");
        }
        if (ring.child == null) throw new LuaError("bad argument #1 to '" + method + "' (already closed state)");
        return ring;
    }

    /** What crosses between states: nil, booleans, numbers and strings; everything else becomes nil. */
    static LuaValue copy(LuaValue v) {
        return switch (v.type()) {
            case LuaValue.TBOOLEAN, LuaValue.TNUMBER, LuaValue.TSTRING -> v;
            default -> LuaValue.NIL;
        };
    }

    private static Varargs copyAll(Varargs values) {
        int n = values.narg();
        if (n == 0) return LuaValue.NONE;
        if (n == 1) return copy(values.arg1());
        LuaValue[] out = new LuaValue[n];
        for (int i = 0; i < n; i++) out[i] = copy(values.arg(i + 1));
        return LuaValue.varargsOf(out);
    }

    /** Compiled chunks of one direction of one ring, by source string. */
    private static final class ChunkCache extends LinkedHashMap<LuaString, LuaValue> {
        ChunkCache() {
            super(16, 0.75f, true);
        }

        @Override protected boolean removeEldestEntry(Map.Entry<LuaString, LuaValue> eldest) {
            return size() > CACHE_SIZE;
        }
    }

    /**
     * Runs {@code code} in {@code target} with {@code env} as its globals: {@code true} and the
     * copied results, or {@code false} and the message with the traceback of where it failed.
     */
    static Varargs run(LuaState target, ChunkCache cache, LuaValue env, LuaString code, Varargs args) {
        LuaState previous = target.enter();
        LuaValue handler = target.running.errorfunc;
        // no handler: LuaJ then records the traceback on the error itself
        target.running.errorfunc = null;
        try {
            LuaValue chunk = cache.get(code);
            if (chunk == null) {
                try {
                    chunk = target.load(new ByteArrayInputStream(code.m_bytes, code.m_offset, code.m_length),
                            chunkName(code), "bt", env);
                } catch (LuaError e) {
                    return LuaValue.varargsOf(LuaValue.FALSE, message(e));
                }
                cache.put(code, chunk);
            }
            Varargs results = chunk.invoke(copyAll(args));
            return LuaValue.varargsOf(LuaValue.TRUE, copyAll(results));
        } catch (HttpError e) {
            // a failure of the request itself (body too large, unreadable): the server answers it
            throw e;
        } catch (LuaError e) {
            return LuaValue.varargsOf(LuaValue.FALSE, message(e));
        } catch (StackOverflowError e) {
            return LuaValue.varargsOf(LuaValue.FALSE, LuaValue.valueOf("stack overflow"));
        } finally {
            target.running.errorfunc = handler;
            LuaState.leave(previous);
        }
    }

    /** As Rings names chunks: by their source, so messages and tracebacks read {@code [string "code"]:1: ...}. */
    private static String chunkName(LuaString code) {
        if (code.m_length > 0 && code.m_bytes[code.m_offset] == 0x1b) return "=(rings)";
        return "=" + LuaErrorValue.chunkId(code.tojstring());
    }

    /** The error message (nil for an error object that is not a string or number) and its traceback. */
    private static LuaValue message(LuaError e) {
        LuaValue value = LuaErrorValue.of(e);
        if (!value.isstring()) return LuaValue.NIL;
        String full = e.getMessage();
        int tb = full == null ? -1 : full.indexOf("\nstack traceback:");
        return tb < 0 ? value.tostring() : LuaValue.valueOf(value.tojstring() + full.substring(tb));
    }

    /** One ring: the state it runs code in and the state that made it. */
    static final class Ring {
        final LuaState master;
        final LuaValue handle;
        private final LuaTable env;
        private final ChunkCache childChunks = new ChunkCache();
        private final ChunkCache masterChunks = new ChunkCache();
        private final String name;
        LuaState child;
        /** True while the master holds a request-end action that cleans up after the ring. */
        private boolean cleanupPending;

        Ring(LuaState master, LuaTable env) {
            this.master = master;
            this.env = env;
            this.handle = new LuaUserdata(this, METATABLE);
            LuaState c = master.runtime().newState();
            c.chdir(master.cwd());
            LuaValue pkg = master.get("package");
            LuaValue childPkg = c.get("package");
            if (pkg.istable() && childPkg.istable()) {
                if (pkg.get("path").isstring()) childPkg.set("path", pkg.get("path"));
                if (pkg.get("cpath").isstring()) childPkg.set("cpath", pkg.get("cpath"));
            }
            c.set("remotedostring", new VarArgFunction() {
                @Override public Varargs invoke(Varargs args) {
                    return remote(args.checkstring(1), args.subargs(2));
                }
            });
            this.child = c;
            this.name = "Lua State (" + Integer.toHexString(System.identityHashCode(this)) + ")";
            RINGS.put(c, new WeakReference<>(this));
        }

        Varargs dostring(LuaString code, Varargs args) {
            LuaState c = child;
            forwardCleanups(c);
            return run(c, childChunks, c, code, args);
        }

        Varargs remote(LuaString code, Varargs args) {
            return run(master, masterChunks, env, code, args);
        }

        /**
         * What the ring arranges to happen when the current request ends (temporary upload files)
         * happens when the creating state's request ends: one pending action at a time.
         */
        private void forwardCleanups(LuaState c) {
            if (cleanupPending) return;
            cleanupPending = true;
            master.atEnd(() -> {
                cleanupPending = false;
                c.runEndActions();
            });
        }

        boolean close() {
            LuaState c = child;
            if (c == null) return false;
            child = null;
            childChunks.clear();
            masterChunks.clear();
            RINGS.remove(c);
            c.runEndActions();
            return true;
        }

        @Override public String toString() {
            return name;
        }

        @Override public int hashCode() {
            return System.identityHashCode(this);
        }

        @Override public boolean equals(Object o) {
            return o == this;
        }
    }
}
