package org.apogee.lapps;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code ws} object a coroutine-style handler gets, one per connection, called with a colon:
 * <ul>
 * <li>{@code ws:receive()}: the next message and its opcode (1 text, 2 binary) — with the LAppS
 *     protocol the decoded message (nljson) and its kind; {@code nil, "closed"} once the connection
 *     is gone. Suspends the handler (not a thread) until a message comes.
 * <li>{@code ws:send(data [, opcode=1])} — or {@code ws:send(obj)} for a LAppS message (nljson) —
 *     and {@code ws:close([code=1000 [, reason]])}: {@code true}, or {@code false, message} when the
 *     connection is closing or gone or the message is not valid.
 * <li>{@code ws:broadcast(data [, opcode=1])}: to every connection of this service that speaks the
 *     same subprotocol, on this node and (with Redis) the others.
 * <li>{@code ws:getpeername()}: the client's address and port.
 * <li>fields {@code id} (the handler number) and {@code protocol} (the subprotocol or nil); a
 *     function stored in {@code ws.on_close} is called with {@code ws} when the connection ends.
 * </ul>
 */
final class HandlerSocket {

    private HandlerSocket() {}

    static LuaTable create(ReactiveInstance instance, Connection c) {
        LuaTable ws = new LuaTable();
        ws.set("id", LuaValue.valueOf(c.handler));
        if (c.subprotocol != null) ws.set("protocol", LuaValue.valueOf(c.subprotocol));
        ws.set("receive", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return instance.receive(c);
            }
        });
        ws.set("send", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaValue data = args.arg(2);
                if (data instanceof NlJson j) {
                    String problem = LappsProtocol.outboundProblem(j.value());
                    if (problem != null) return WsModule.fail("ws:send: invalid LAppS message: " + problem);
                    return c.send(false, org.apogee.lapps.json.Cbor.encode(j.value())) ? TRUE : WsModule.fail("closed");
                }
                if (!data.isstring()) return WsModule.fail("usage: ws:send(data [, opcode]) or ws:send(nljson_message)");
                boolean text = args.arg(3).optint(1) != 2;
                return c.send(text, WsModule.bytes(data.checkstring())) ? TRUE : WsModule.fail("closed");
            }
        });
        ws.set("close", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                int code = args.arg(2).optint(1000);
                if (!Connection.validCloseCode(code)) return WsModule.fail("ws:close: the code must be 1000-1011 or 3000-4999");
                String reason = args.arg(3).isstring() ? new String(WsModule.bytes(args.arg(3).checkstring()), StandardCharsets.UTF_8) : "";
                if (!c.isOpen()) return WsModule.fail("closed");
                c.close(code, reason);
                return TRUE;
            }
        });
        ws.set("broadcast", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaValue data = args.arg(2);
                if (!data.isstring()) return WsModule.fail("usage: ws:broadcast(data [, opcode])");
                boolean text = args.arg(3).optint(1) != 2;
                c.service.broadcast(c.subprotocol, text, WsModule.bytes(data.checkstring()));
                return TRUE;
            }
        });
        ws.set("getpeername", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                InetSocketAddress a = c.remoteAddress();
                if (a == null) return NIL;
                return varargsOf(valueOf(a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()), valueOf(a.getPort()));
            }
        });
        return ws;
    }
}
