package org.apogee.lapps;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apogee.core.lua.LuaState;
import org.apogee.lapps.json.Cbor;
import org.apogee.lapps.json.Json;
import org.apogee.lapps.json.JsonText;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code nljson} global: JSON and CBOR for services, called with a dot ({@code nljson.decode(s)}).
 * Misuse raises a Lua error.
 */
final class NljsonModule {

    private NljsonModule() {}

    /** Builds the module table for one state; {@code mt} is that state's nljson metatable. */
    static LuaTable create(LuaState state, LuaValue mt) {
        LuaTable m = new LuaTable();
        m.set("decode", new OneArgFunction() {
            @Override public LuaValue call(LuaValue s) {
                try {
                    return own(JsonText.parse(s.checkjstring()), mt);
                } catch (IllegalArgumentException e) {
                    throw new LuaError("nljson.decode: " + e.getMessage());
                }
            }
        });
        m.set("decode_file", new OneArgFunction() {
            @Override public LuaValue call(LuaValue path) {
                String name = path.checkjstring();
                try {
                    return own(JsonText.parse(Files.readString(state.resolve(name))), mt);
                } catch (IOException e) {
                    throw new LuaError("nljson.decode_file: cannot read " + name + ": " + e.getMessage());
                } catch (IllegalArgumentException e) {
                    throw new LuaError("nljson.decode_file: " + name + ": " + e.getMessage());
                }
            }
        });
        m.set("encode", new OneArgFunction() {
            @Override public LuaValue call(LuaValue o) {
                return valueOf(JsonText.encode(json(o, "encode")));
            }
        });
        m.set("encode_pretty", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue o, LuaValue indent) {
                return valueOf(JsonText.encodePretty(json(o, "encode_pretty"), indent.optint(2)));
            }
        });
        m.set("to_cbor", new OneArgFunction() {
            @Override public LuaValue call(LuaValue o) {
                return LuaString.valueUsing(Cbor.encode(json(o, "to_cbor")));
            }
        });
        m.set("from_cbor", new OneArgFunction() {
            @Override public LuaValue call(LuaValue s) {
                LuaString bytes = s.checkstring();
                try {
                    return own(Cbor.decode(bytes.m_bytes, bytes.m_offset, bytes.m_length), mt);
                } catch (Cbor.MalformedException e) {
                    throw new LuaError("nljson.from_cbor: " + e.getMessage());
                }
            }
        });
        m.set("find", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue o, LuaValue key) {
                Object v = userdata(o, "find").value();
                if (!(v instanceof Json.JsonObject obj)) return NIL;
                if (!key.isstring()) throw new LuaError("nljson.find: the key must be a string or a number");
                return NlJson.toLua(obj.get(key.tojstring()), mt);
            }
        });
        m.set("foreach", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue o, LuaValue fn) {
                Object v = userdata(o, "foreach").value();
                fn.checkfunction();
                if (v instanceof Json.JsonObject obj) {
                    for (Map.Entry<String, Object> e : List.copyOf(obj.entrySet())) fn.call(valueOf(e.getKey()), NlJson.toLua(e.getValue(), mt));
                } else if (v instanceof Json.JsonArray a) {
                    List<Object> items = new ArrayList<>(a);
                    for (int i = 0; i < items.size(); i++) fn.call(valueOf(i + 1), NlJson.toLua(items.get(i), mt));
                }
                return NONE.arg1();
            }
        });
        m.set("traverse", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue o, LuaValue fn) {
                traverse(userdata(o, "traverse").value(), fn.checkfunction(), mt);
                return NONE.arg1();
            }
        });
        m.set("erase", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue o, LuaValue key) {
                Object v = userdata(o, "erase").value();
                if (v instanceof Json.JsonObject obj && key.type() == TSTRING) {
                    return valueOf(obj.remove(key.tojstring()) != null);
                }
                if (v instanceof Json.JsonArray a && key.type() == TNUMBER) {
                    // 0-based, as in the original server
                    int i = key.toint();
                    if (i < 0 || i >= a.size()) throw new LuaError("nljson.erase: array index " + i + " out of range (0-based, size " + a.size() + ")");
                    a.remove(i);
                    return TRUE;
                }
                return FALSE;
            }
        });
        m.set("empty", new OneArgFunction() {
            @Override public LuaValue call(LuaValue o) {
                Object v = userdata(o, "empty").value();
                if (v instanceof Json.JsonArray a) return valueOf(a.isEmpty());
                if (v instanceof Json.JsonObject obj) return valueOf(obj.isEmpty());
                return FALSE;
            }
        });
        m.set("typename", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return valueOf(Json.typeName(userdata(args.arg1(), "typename").value()));
            }
        });
        return m;
    }

    private static LuaValue own(Object v, LuaValue mt) {
        return new NlJson(v, false, mt);
    }

    static NlJson userdata(LuaValue o, String fn) {
        if (o instanceof NlJson j) return j;
        throw new LuaError("nljson." + fn + ": expected an nljson value, got " + o.typename());
    }

    /** The JSON value of an nljson userdata, or of a Lua value converted as an assignment would. */
    private static Object json(LuaValue o, String fn) {
        if (o instanceof NlJson j) return j.value();
        if (o.istable()) return NlJson.fromLua(o);
        throw new LuaError("nljson." + fn + ": expected an nljson value or a table, got " + o.typename());
    }

    private static void traverse(Object v, LuaValue fn, LuaValue mt) {
        if (v instanceof Json.JsonObject obj) {
            for (Map.Entry<String, Object> e : List.copyOf(obj.entrySet())) {
                traverse(e.getValue(), fn, mt);
                fn.call(LuaValue.valueOf(e.getKey()), NlJson.toLua(e.getValue(), mt));
            }
        } else if (v instanceof Json.JsonArray a) {
            List<Object> items = new ArrayList<>(a);
            for (int i = 0; i < items.size(); i++) {
                traverse(items.get(i), fn, mt);
                fn.call(LuaValue.valueOf(i + 1), NlJson.toLua(items.get(i), mt));
            }
        }
    }
}
