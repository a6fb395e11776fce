package org.apogee.lapps;

import java.nio.charset.StandardCharsets;

import org.apogee.lapps.json.Cbor;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code ws} global of reactive services, called with a colon (argument 1 is ignored):
 * <ul>
 * <li>{@code ws:send(h, obj)}: a valid LAppS message (nljson) as one CBOR BINARY message;
 * <li>{@code ws:send(h, opcode, data)}: {@code data} as TEXT (1) or BINARY (2), bytes as given;
 * <li>{@code ws:close(h, code [, reason])}: a close frame; onDisconnect follows when the client answers.
 * </ul>
 * Both return {@code true}, or {@code false, message} for bad arguments or a handler that is not an
 * open connection; they never raise, except for userdata that is not nljson.
 */
final class WsModule {

    private WsModule() {}

    static LuaTable create(LappsHost host) {
        LuaTable ws = new LuaTable();
        ws.set("send", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                int n = args.narg();
                if (n != 3 && n != 4) return fail("usage: ws:send(handler, nljson_object) or ws:send(handler, opcode, data)");
                LuaValue h = args.arg(2);
                if (!h.isnumber()) return fail("ws:send: the handler must be a number");
                Connection c = host.connection(h);
                if (n == 3) {
                    LuaValue obj = args.arg(3);
                    if (!(obj instanceof NlJson j)) {
                        if (obj.isuserdata()) throw new LuaError("ws:send: userdata of another kind than nljson");
                        return fail("ws:send: the message must be an nljson object");
                    }
                    String problem = LappsProtocol.outboundProblem(j.value());
                    if (problem != null) return fail("ws:send: invalid LAppS message: " + problem);
                    byte[] cbor;
                    try {
                        cbor = Cbor.encode(j.value());
                    } catch (IllegalStateException e) {
                        return fail("ws:send: " + e.getMessage());
                    }
                    if (c == null || !c.send(false, cbor)) return fail("invalid handler");
                    return TRUE;
                }
                LuaValue op = args.arg(3);
                if (!op.isnumber() || (op.todouble() != 1 && op.todouble() != 2)) {
                    return fail("ws:send: the opcode must be 1 (text) or 2 (binary)");
                }
                LuaValue data = args.arg(4);
                if (!data.isstring()) return FALSE;
                if (c == null || !c.send(op.todouble() == 1, bytes(data.checkstring()))) return fail("invalid handler");
                return TRUE;
            }
        });
        ws.set("close", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                int n = args.narg();
                if (n != 3 && n != 4) return fail("usage: ws:close(handler, code [, reason])");
                LuaValue h = args.arg(2);
                if (!h.isnumber()) return fail("ws:close: the handler must be a number");
                LuaValue code = args.arg(3);
                int cv = code.isnumber() ? (int) code.todouble() : -1;
                if (!code.isnumber() || code.todouble() != cv || !Connection.validCloseCode(cv)) {
                    return fail("ws:close: the code must be 1000-1011 or 3000-4999");
                }
                String reason = "";
                if (n == 4) {
                    if (!args.arg(4).isstring()) return fail("ws:close: the reason must be a string");
                    reason = new String(bytes(args.arg(4).checkstring()), StandardCharsets.UTF_8);
                }
                Connection c = host.connection(h);
                if (c == null || !c.isOpen()) return fail("invalid handler");
                c.close(cv, reason);
                return TRUE;
            }
        });
        return ws;
    }

    static Varargs fail(String message) {
        return LuaValue.varargsOf(LuaValue.FALSE, LuaValue.valueOf(message));
    }

    /** The bytes of a Lua string (copied only when the string is a slice of a larger buffer). */
    static byte[] bytes(LuaString s) {
        if (s.m_offset == 0 && s.m_length == s.m_bytes.length) return s.m_bytes;
        byte[] b = new byte[s.m_length];
        System.arraycopy(s.m_bytes, s.m_offset, b, 0, s.m_length);
        return b;
    }
}
