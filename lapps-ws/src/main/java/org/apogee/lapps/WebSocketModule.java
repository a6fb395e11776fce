package org.apogee.lapps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

import org.apogee.core.lua.LuaModuleProvider;
import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code require "apogee.websocket"}: a WebSocket client for scripts and apps.
 *
 * <pre>
 * local websocket = require "apogee.websocket"
 * local ok, err = websocket.connect("wss://example.org/feed", {
 *   on_connect = function(ws) ws:send("hello") end,
 *   on_message = function(ws, data, opcode) print(data); ws:close() end,
 *   on_close   = function(ws, code, reason) end,
 * }, { protocols = { "chat" }, ca = "ca.pem", timeout = 10 })
 * </pre>
 *
 * {@code connect} runs the callbacks on the calling thread and returns when the connection has
 * ended: {@code true}, or {@code nil, message} when it could not connect. {@code ws:send(data
 * [, opcode=1])} and {@code ws:close([code [, reason]])}; {@code ws.protocol} is the agreed
 * subprotocol. Server certificates are verified unless {@code insecure = true}.
 */
public final class WebSocketModule implements LuaModuleProvider {

    @Override
    public Map<String, Function<LuaState, LuaValue>> modules() {
        return Map.of(name(), this::create);
    }

    public String name() {
        return "apogee.websocket";
    }

    public LuaValue create(LuaState state) {
        LuaTable m = new LuaTable();
        m.set("connect", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String url = args.checkjstring(1);
                LuaTable handlers = args.opttable(2, new LuaTable());
                ClientSockets pool = new ClientSockets();
                ClientSockets.Client c;
                try {
                    c = pool.connect(url, ClientModule.options(args.arg(3), state));
                } catch (IOException e) {
                    return varargsOf(NIL, valueOf(e.getMessage()));
                }
                LuaTable ws = socket(c, url);
                boolean[] ended = {false};
                try {
                    while (!ended[0]) {
                        pool.poll(1000, e -> {
                            switch (e.kind()) {
                                case OPEN -> callback(handlers.get("on_connect"), ws);
                                case MESSAGE -> callback(handlers.get("on_message"), ws, LuaString.valueUsing(e.data()), valueOf(e.text() ? 1 : 2));
                                case CLOSE, ERROR -> {
                                    ended[0] = true;
                                    callback(handlers.get("on_close"), ws, valueOf(e.code()), valueOf(e.reason() == null ? "" : e.reason()));
                                }
                            }
                        });
                    }
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    c.abort();
                } catch (RuntimeException luaError) {
                    c.abort();
                    throw luaError;
                }
                return TRUE;
            }
        });
        return m;
    }

    private static LuaTable socket(ClientSockets.Client c, String url) {
        LuaTable ws = new LuaTable();
        ws.set("url", url);
        if (c.subprotocol() != null) ws.set("protocol", c.subprotocol());
        ws.set("send", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                if (!args.arg(2).isstring()) return WsModule.fail("usage: ws:send(data [, opcode])");
                boolean text = args.arg(3).optint(1) != 2;
                return c.send(text, WsModule.bytes(args.arg(2).checkstring())) ? TRUE : WsModule.fail("closed");
            }
        });
        ws.set("close", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                int code = args.arg(2).optint(1000);
                String reason = args.arg(3).isstring() ? new String(WsModule.bytes(args.arg(3).checkstring()), StandardCharsets.UTF_8) : "";
                c.close(code, reason);
                return TRUE;
            }
        });
        return ws;
    }

    private static void callback(LuaValue fn, LuaValue... args) {
        if (fn.isfunction()) fn.invoke(args);
    }
}
