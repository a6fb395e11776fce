package org.apogee.lapps;

import java.util.Map;

import org.apogee.lapps.json.Json;
import org.apogee.lapps.json.JsonText;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * An nljson value as Lua sees it: userdata over a {@link Json} value. {@code o[k]} reads (a missing
 * key or index gives {@code nil}), {@code o[k] = v} writes (arrays grow and pad with null; {@code nil}
 * stores null), {@code tostring(o)} gives compact JSON and {@code #o} the number of elements.
 * A container read out of another is a live view of it.
 */
final class NlJson extends LuaUserdata {

    /** True for a value read out of another (a view); false for a value of its own (decode, from_cbor, payloads). */
    final boolean view;

    NlJson(Object value, boolean view, LuaValue metatable) {
        super(value, metatable);
        this.view = view;
    }

    Object value() {
        return m_instance;
    }

    /** The shared metatable of nljson values (one per Lua state). */
    static LuaTable metatable() {
        LuaTable mt = new LuaTable();
        mt.set("__name", "nljson");
        mt.set("__index", new org.luaj.vm2.lib.TwoArgFunction() {
            @Override public LuaValue call(LuaValue o, LuaValue k) { return o.get(k); }
        });
        mt.set("__newindex", new org.luaj.vm2.lib.ThreeArgFunction() {
            @Override public LuaValue call(LuaValue o, LuaValue k, LuaValue v) { o.set(k, v); return NONE.arg1(); }
        });
        mt.set("__tostring", new org.luaj.vm2.lib.OneArgFunction() {
            @Override public LuaValue call(LuaValue o) { return valueOf(o.tojstring()); }
        });
        mt.set("__len", new org.luaj.vm2.lib.OneArgFunction() {
            @Override public LuaValue call(LuaValue o) { return o.len(); }
        });
        return mt;
    }

    /** A Lua value for a JSON value: scalars convert, containers become views sharing this metatable. */
    static LuaValue toLua(Object v, LuaValue metatable) {
        if (v instanceof String s) return LuaValue.valueOf(s);
        if (v instanceof Long l) return l == (int) (long) l ? LuaInteger.valueOf((int) (long) l) : LuaValue.valueOf((double) l);
        if (v instanceof Double d) return LuaValue.valueOf(d);
        if (v instanceof Boolean b) return LuaValue.valueOf(b);
        if (v instanceof Json.JsonArray || v instanceof Json.JsonObject) return new NlJson(v, true, metatable);
        return NIL;
    }

    /**
     * A JSON value for a Lua value: nil, functions, threads and light userdata become null; every
     * number becomes a float; nljson values are deep-copied; a table whose keys are all positive
     * integers becomes an array (key k at index k-1, gaps null), any other table an object.
     */
    static Object fromLua(LuaValue v) {
        switch (v.type()) {
            case TNIL: case TFUNCTION: case TTHREAD: case TLIGHTUSERDATA: return Json.NULL;
            case TBOOLEAN: return v.toboolean();
            case TNUMBER: return v.todouble();
            case TSTRING: return v.tojstring();
            case TUSERDATA:
                if (v instanceof NlJson j) return Json.deepCopy(j.value());
                throw new LuaError("cannot convert userdata of another kind to JSON");
            case TTABLE: return fromTable((LuaTable) v, 0);
            default: return Json.NULL;
        }
    }

    private static Object fromTable(LuaTable t, int depth) {
        if (depth > 200) throw new LuaError("table nested too deeply (or a cycle) for JSON");
        boolean array = true;
        int max = 0;
        LuaValue k = NIL;
        while (true) {
            Varargs n = t.next(k);
            if ((k = n.arg1()).isnil()) break;
            if (k.type() == TNUMBER && k.todouble() == Math.rint(k.todouble()) && k.todouble() >= 1 && k.todouble() < 1 << 28) {
                max = Math.max(max, (int) k.todouble());
            } else {
                array = false;
                break;
            }
        }
        if (array) {
            Json.JsonArray a = new Json.JsonArray(max);
            for (int i = 0; i < max; i++) a.add(Json.NULL);
            k = NIL;
            while (true) {
                Varargs n = t.next(k);
                if ((k = n.arg1()).isnil()) break;
                a.set((int) k.todouble() - 1, nested(n.arg(2), depth));
            }
            return a;
        }
        Json.JsonObject o = new Json.JsonObject();
        k = NIL;
        while (true) {
            Varargs n = t.next(k);
            if ((k = n.arg1()).isnil()) break;
            o.put(k.tojstring(), nested(n.arg(2), depth));
        }
        return o;
    }

    private static Object nested(LuaValue v, int depth) {
        return v.istable() ? fromTable((LuaTable) v, depth + 1) : fromLua(v);
    }

    @Override
    public LuaValue get(LuaValue key) {
        Object v = m_instance;
        if (v instanceof Json.JsonObject o) {
            if (key.type() != TSTRING) {
                throw new LuaError("nljson: cannot index a JSON object with " + key.typename() + " " + key.tojstring()
                        + " (use a string key, or nljson.find)");
            }
            return toLua(o.get(key.tojstring()), m_metatable);
        }
        if (v instanceof Json.JsonArray a) {
            if (key.type() != TNUMBER) throw new LuaError("nljson: cannot index a JSON array with a string (\"" + key.tojstring() + "\"); arrays take 1-based numbers");
            double d = key.todouble();
            if (d != Math.rint(d) || d < 1 || d > a.size()) return NIL;
            return toLua(a.get((int) d - 1), m_metatable);
        }
        throw new LuaError("nljson: cannot index a JSON " + Json.typeName(v));
    }

    @Override
    public LuaValue get(int key) {
        return get(LuaValue.valueOf(key));
    }

    @Override
    public LuaValue get(String key) {
        return get(LuaValue.valueOf(key));
    }

    @Override
    public void set(LuaValue key, LuaValue value) {
        Object v = m_instance;
        if (v instanceof Json.JsonObject o && key.type() == TSTRING) {
            o.put(key.tojstring(), fromLua(value));
            return;
        }
        if (v instanceof Json.JsonArray a && key.type() == TNUMBER) {
            double d = key.todouble();
            if (d != Math.rint(d) || d < 1 || d > 1 << 28) throw new LuaError("nljson: array index " + key.tojstring() + " out of range (1-based)");
            int i = (int) d - 1;
            while (a.size() <= i) a.add(Json.NULL);
            a.set(i, fromLua(value));
            return;
        }
        throw new LuaError("nljson: cannot assign " + key.typename() + " key " + key.tojstring() + " on a JSON " + Json.typeName(v));
    }

    @Override
    public void set(int key, LuaValue value) {
        set(LuaValue.valueOf(key), value);
    }

    @Override
    public void set(String key, LuaValue value) {
        set(LuaValue.valueOf(key), value);
    }

    @Override
    public LuaValue len() {
        Object v = m_instance;
        if (v instanceof Json.JsonArray a) return valueOf(a.size());
        if (v instanceof Map<?, ?> m) return valueOf(m.size());
        return valueOf(0);
    }

    @Override
    public String tojstring() {
        return JsonText.encode(m_instance);
    }

    @Override
    public LuaValue tostring() {
        return valueOf(tojstring());
    }

    @Override
    public String typename() {
        return "userdata";
    }
}
