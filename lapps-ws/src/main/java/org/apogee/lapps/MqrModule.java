package org.apogee.lapps;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

import org.apogee.lapps.json.Json;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code mqr} preload: named in-process queues between services. {@code mqr.create(name)} gets
 * or creates a queue and returns a handle with {@code q:post(obj)}, {@code q:try_recv()} and
 * {@code q:recv()}. Queues are unbounded FIFOs; consumers compete, each message reaches one of them.
 * A top-level nljson value is posted by reference (the receiver sees later changes), a view is copied.
 */
final class MqrModule {

    /** The queues of one process, by name. */
    static final class Queues {
        private final ConcurrentHashMap<String, LinkedBlockingQueue<Object>> queues = new ConcurrentHashMap<>();

        LinkedBlockingQueue<Object> get(String name) {
            return queues.computeIfAbsent(name, k -> new LinkedBlockingQueue<>());
        }
    }

    private MqrModule() {}

    static LuaTable create(Queues queues, LuaValue nljsonMeta) {
        LuaTable mqr = new LuaTable();
        mqr.set("create", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                if (args.narg() != 1 || args.arg1().type() != TSTRING) {
                    return varargsOf(NIL, valueOf("usage: mqr.create(name) -- with a dot"));
                }
                return handle(queues.get(args.arg1().tojstring()), nljsonMeta);
            }
        });
        return mqr;
    }

    private static LuaTable handle(LinkedBlockingQueue<Object> q, LuaValue meta) {
        LuaTable h = new LuaTable();
        h.set("post", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                if (!(args.arg(2) instanceof NlJson j)) return WsModule.fail("usage: q:post(nljson_value)");
                q.add(j.view ? Json.deepCopy(j.value()) : j.value());
                return TRUE;
            }
        });
        h.set("try_recv", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                Object v = q.poll();
                return v == null ? NIL : new NlJson(v, false, meta);
            }
        });
        h.set("recv", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                try {
                    return new NlJson(q.take(), false, meta);
                } catch (InterruptedException e) {
                    // the service is stopping: give the loop a chance to see must_stop()
                    Thread.currentThread().interrupt();
                    return NIL;
                }
            }
        });
        return h;
    }
}
