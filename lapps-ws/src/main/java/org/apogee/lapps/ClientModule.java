package org.apogee.lapps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code cws} preload: LAppS's outbound WebSocket client, called with a colon.
 * <ul>
 * <li>{@code cws:new(uri, callbacks)}: connects to {@code ws://} or {@code wss://} (certificates
 *     verified); returns a handle ({@code handle.id}, {@code handle:close()}) or {@code nil, message}.
 *     Callbacks: {@code onopen(h)}, {@code onmessage(h, data, opcode)}, {@code onclose(h, payload)}
 *     (the close frame payload: 2-byte code and reason), {@code onerror(h, message)}.
 * <li>{@code cws:send(h, data, opcode)}: 1 text, 2 binary; {@code true} or {@code false, "Communication error"}.
 * <li>{@code cws:eventLoop()}: runs the callbacks of what happened (waits up to 1 ms); callbacks
 *     run only from here, on the caller's thread.
 * </ul>
 */
final class ClientModule {

    private record Entry(ClientSockets.Client socket, LuaTable callbacks) {}

    private ClientModule() {}

    static LuaTable create(LuaState state) {
        ClientSockets pool = new ClientSockets();
        Map<Integer, Entry> sockets = new HashMap<>();
        LuaTable cws = new LuaTable();
        cws.set("new", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                if (!args.arg(2).isstring() || !args.arg(3).istable()) return varargsOf(NIL, valueOf("usage: cws:new(uri, callbacks)"));
                ClientSockets.Client c;
                try {
                    c = pool.connect(args.arg(2).tojstring(), ClientSockets.Options.DEFAULT);
                } catch (IOException e) {
                    return varargsOf(NIL, valueOf(e.getMessage()));
                }
                sockets.put(c.id, new Entry(c, (LuaTable) args.arg(3)));
                LuaTable handle = new LuaTable();
                handle.set("id", valueOf(c.id));
                handle.set("close", new VarArgFunction() {
                    @Override public Varargs invoke(Varargs a) {
                        sockets.remove(c.id);
                        c.abort();
                        return NONE;
                    }
                });
                return handle;
            }
        });
        cws.set("send", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaValue h = args.arg(2);
                if (h.istable()) h = h.get("id");
                Entry e = h.isnumber() ? sockets.get(h.toint()) : null;
                LuaValue op = args.arg(4);
                if (e == null || !args.arg(3).isstring() || !op.isnumber() || (op.toint() != 1 && op.toint() != 2)) {
                    return WsModule.fail("Communication error");
                }
                return e.socket().send(op.toint() == 1, WsModule.bytes(args.arg(3).checkstring())) ? TRUE : WsModule.fail("Communication error");
            }
        });
        cws.set("eventLoop", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                try {
                    pool.poll(1, event -> dispatch(event, sockets));
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                }
                return NONE;
            }
        });
        return cws;
    }

    private static void dispatch(ClientSockets.Event e, Map<Integer, Entry> sockets) {
        Entry entry = sockets.get(e.socket().id);
        if (entry == null) return;
        LuaValue h = LuaValue.valueOf(entry.socket().id);
        LuaTable cb = entry.callbacks();
        switch (e.kind()) {
            case OPEN -> call(cb.get("onopen"), h);
            case MESSAGE -> call(cb.get("onmessage"), h, LuaString.valueUsing(e.data()), LuaValue.valueOf(e.text() ? 1 : 2));
            case CLOSE -> {
                sockets.remove(entry.socket().id);
                byte[] reason = e.reason() == null ? new byte[0] : e.reason().getBytes(StandardCharsets.UTF_8);
                byte[] payload = new byte[2 + reason.length];
                payload[0] = (byte) (e.code() >> 8);
                payload[1] = (byte) e.code();
                System.arraycopy(reason, 0, payload, 2, reason.length);
                call(cb.get("onclose"), h, LuaString.valueUsing(payload));
            }
            case ERROR -> {
                sockets.remove(entry.socket().id);
                call(cb.get("onerror"), h, LuaValue.valueOf(e.reason()));
            }
        }
    }

    private static void call(LuaValue fn, LuaValue... args) {
        if (fn.isfunction()) fn.invoke(args);
    }

    /** Options of {@code apogee.websocket.connect}: protocols, ca, insecure, timeout (seconds). */
    static ClientSockets.Options options(LuaValue t, LuaState state) {
        if (t.isnil()) return ClientSockets.Options.DEFAULT;
        if (!t.istable()) throw new LuaError("connect: options must be a table");
        List<String> protocols = new ArrayList<>();
        LuaValue p = t.get("protocols");
        if (p.isstring()) protocols.add(p.tojstring());
        else if (p.istable()) for (int i = 1; !p.get(i).isnil(); i++) protocols.add(p.get(i).tojstring());
        LuaValue ca = t.get("ca");
        double timeout = t.get("timeout").optdouble(10);
        return new ClientSockets.Options(List.copyOf(protocols), ca.isstring() ? state.resolve(ca.tojstring()) : null,
                t.get("insecure").toboolean(), Duration.ofMillis((long) (timeout * 1000)));
    }
}
