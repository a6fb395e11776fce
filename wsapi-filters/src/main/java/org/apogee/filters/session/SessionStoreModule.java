package org.apogee.filters.session;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;

/**
 * {@code require "wsapi.filters.session_store"}: the session filter's stores, in Java so that they
 * outlive and are shared by every Lua state.
 *
 * <pre>
 * local stores = require "wsapi.filters.session_store"
 * local store = stores.memory{ name = "default", max_sessions = 10000 }
 * local store = stores.redis{ url = "redis://127.0.0.1:6379/0", prefix = "apogee:session:",
 *                             connect_timeout = 0.5, timeout = 1, pool = 16 }
 * local data, created_at, snapshot = store:load(id, idle_seconds, absolute_seconds)  -- nil when gone
 * local written, snapshot = store:save(id, data, created_at, idle_seconds, absolute_seconds, snapshot)
 * store:delete(id)
 * </pre>
 *
 * {@code save} writes only when the encoded data differs from {@code snapshot} (what {@code load}
 * returned), and returns the new snapshot, so a request that only reads its session costs one store
 * access. A store that cannot
 * be reached raises an error that the client sees as a 503.
 */
public final class SessionStoreModule {

    private static final System.Logger LOG = System.getLogger("apogee.session");
    private static volatile String devSecret;

    private SessionStoreModule() {}

    public static LuaValue create(LuaState state) {
        LuaTable m = new LuaTable();
        m.set("memory", new OneArgFunction() {
            @Override public LuaValue call(LuaValue opts) {
                LuaTable o = opts.isnil() ? new LuaTable() : opts.checktable();
                String name = o.get("name").optjstring("default");
                int max = o.get("max_sessions").optint(10_000);
                if (max < 1) throw new LuaError("memory store: max_sessions must be at least 1 (got " + max + ")");
                return storeObject(MemorySessionStore.named(name, max), "memory");
            }
        });
        m.set("redis", new OneArgFunction() {
            @Override public LuaValue call(LuaValue opts) {
                LuaTable o = opts.isnil() ? new LuaTable() : opts.checktable();
                String url = o.get("url").optjstring("redis://127.0.0.1:6379/0");
                URI uri;
                try {
                    uri = new URI(url);
                } catch (URISyntaxException e) {
                    throw new LuaError("redis store: invalid url '" + url + "': " + e.getMessage());
                }
                try {
                    RedisSessionStore.Config config = new RedisSessionStore.Config(uri, o.get("prefix").optjstring(null),
                            seconds(o, "connect_timeout", 0.5), seconds(o, "timeout", 1.0), o.get("pool").optint(16));
                    return storeObject(RedisSessionStore.shared(config), "redis");
                } catch (IllegalArgumentException e) {
                    throw new LuaError("redis store: " + e.getMessage());
                }
            }
        });
        m.set("encode", new OneArgFunction() {
            @Override public LuaValue call(LuaValue t) {
                return LuaString.valueUsing(SessionCodec.encode(t.checktable()));
            }
        });
        m.set("decode", new OneArgFunction() {
            @Override public LuaValue call(LuaValue s) {
                LuaTable t = SessionCodec.decode(bytes(s.checkstring()));
                return t == null ? NIL : t;
            }
        });
        m.set("dev_secret", new ZeroArgFunction() {
            @Override public LuaValue call() {
                return LuaValue.valueOf(devSecret());
            }
        });
        return m;
    }

    private static Duration seconds(LuaTable o, String key, double def) {
        double s = o.get(key).optdouble(def);
        if (!(s > 0)) throw new LuaError("redis store: " + key + " must be a positive number of seconds (got " + o.get(key) + ")");
        return Duration.ofNanos((long) (s * 1e9));
    }

    /**
     * One random secret for the whole process, so that every state signs alike. Only for
     * development: sessions do not survive a restart and are not shared between nodes.
     */
    static String devSecret() {
        String s = devSecret;
        if (s != null) return s;
        synchronized (SessionStoreModule.class) {
            if (devSecret == null) {
                byte[] b = new byte[32];
                new SecureRandom().nextBytes(b);
                devSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
                LOG.log(System.Logger.Level.WARNING, "session filter: no secret configured; using a random one for this "
                        + "process (development mode only): sessions end when the server restarts. Set the 'secret' "
                        + "option or APOGEE_SESSION_SECRET.");
            }
            return devSecret;
        }
    }

    static byte[] bytes(LuaString s) {
        return Arrays.copyOfRange(s.m_bytes, s.m_offset, s.m_offset + s.m_length);
    }

    private static long millis(Varargs args, int i, String what) {
        double s = args.arg(i).checkdouble();
        if (!(s > 0)) throw new LuaError(what + " must be a positive number of seconds");
        return (long) Math.min(s * 1000, Long.MAX_VALUE / 4);
    }

    private static LuaTable storeObject(SessionStore store, String kind) {
        LuaTable o = new LuaTable();
        o.set("kind", kind);
        o.set("load", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                String id = a.checkjstring(2);
                SessionStore.Stored s = store.load(id, millis(a, 3, "idle_timeout"), millis(a, 4, "absolute_timeout"));
                if (s == null) return NIL;
                LuaTable data = SessionCodec.decode(s.data());
                if (data == null) {
                    LOG.log(System.Logger.Level.WARNING, store.describe() + ": session data that cannot be decoded; starting a new session");
                    return NIL;
                }
                return LuaValue.varargsOf(data, LuaValue.valueOf((double) s.createdAt()), LuaString.valueUsing(s.data()));
            }
        });
        o.set("save", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                String id = a.checkjstring(2);
                byte[] data = SessionCodec.encode(a.checktable(3));
                long createdAt = (long) a.checkdouble(4);
                long idle = millis(a, 5, "idle_timeout");
                long absolute = millis(a, 6, "absolute_timeout");
                LuaValue snapshot = a.arg(7);
                if (snapshot.isstring() && Arrays.equals(data, bytes(snapshot.checkstring()))) return varargsOf(FALSE, snapshot);
                store.save(id, data, createdAt, idle, absolute);
                return varargsOf(TRUE, LuaString.valueUsing(data));
            }
        });
        o.set("delete", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                store.delete(a.checkjstring(2));
                return NONE;
            }
        });
        o.set("describe", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                return LuaValue.valueOf(store.describe());
            }
        });
        o.set("now", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                return LuaValue.valueOf((double) System.currentTimeMillis());
            }
        });
        return o;
    }
}
