package org.apogee.lapps;

import org.apogee.lapps.json.Cbor;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code bcast} global (LAppS services and standalone services), called with a colon:
 * {@code create(id)}, {@code subscribe(id, h)}, {@code unsubscribe(id, h)}, {@code send(id, obj)}.
 * Channel ids are numbers shared by every service of the process.
 */
final class BcastModule {

    private BcastModule() {}

    static LuaTable create(LappsHost host) {
        Broadcasts broadcasts = host.broadcasts();
        LuaTable b = new LuaTable();
        b.set("create", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaValue id = args.arg(2);
                if (!id.isnumber()) return WsModule.fail("usage: bcast:create(id) with a numeric id");
                broadcasts.create(id.tolong());
                return TRUE;
            }
        });
        b.set("subscribe", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return subscription(args, true, broadcasts, host);
            }
        });
        b.set("unsubscribe", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return subscription(args, false, broadcasts, host);
            }
        });
        b.set("send", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaValue id = args.arg(2);
                if (!id.isnumber()) return WsModule.fail("usage: bcast:send(id, nljson_object)");
                LuaValue obj = args.arg(3);
                if (!(obj instanceof NlJson j)) {
                    if (obj.isuserdata()) throw new LuaError("bcast:send: userdata of another kind than nljson");
                    return FALSE;
                }
                if (LappsProtocol.broadcastProblem(j.value()) != null) return FALSE;
                if (!broadcasts.exists(id.tolong())) return notFound(id);
                broadcasts.send(id.tolong(), Cbor.encode(j.value()));
                return TRUE;
            }
        });
        return b;
    }

    private static Varargs subscription(Varargs args, boolean subscribe, Broadcasts broadcasts, LappsHost host) {
        LuaValue id = args.arg(2);
        LuaValue h = args.arg(3);
        if (!id.isnumber() || !h.isnumber()) {
            return WsModule.fail("usage: bcast:" + (subscribe ? "subscribe" : "unsubscribe") + "(id, handler)");
        }
        Connection c = host.connection(h);
        if (!broadcasts.exists(id.tolong())) return notFound(id);
        if (c == null) {
            // a closed connection has no subscriptions left; unsubscribing it (from onDisconnect) is fine
            return subscribe ? WsModule.fail("invalid handler") : LuaValue.TRUE;
        }
        if (subscribe) broadcasts.subscribe(id.tolong(), c);
        else broadcasts.unsubscribe(id.tolong(), c);
        return LuaValue.TRUE;
    }

    private static Varargs notFound(LuaValue id) {
        return WsModule.fail("Broadcast with id " + id.tojstring() + " is not found");
    }
}
