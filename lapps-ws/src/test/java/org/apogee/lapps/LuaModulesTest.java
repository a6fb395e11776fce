package org.apogee.lapps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.apogee.lapps.json.Cbor;
import org.apogee.lapps.json.Json;
import org.apogee.lapps.json.JsonText;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaValue;

/** nljson, murmur and the CBOR mapping, in process. */
class LuaModulesTest {

    /** Runs a chunk with nljson and murmur as globals and returns its result as a string. */
    private static String lua(String chunk) {
        LuaState state = new LuaRuntime(LuaRuntime.Options.defaults()).newState();
        LuaState previous = state.enter();
        try {
            state.set("nljson", NljsonModule.create(state, NlJson.metatable()));
            state.set("murmur", MurmurModule.create());
            LuaValue r = state.load(chunk, "test").call();
            return r.tojstring();
        } finally {
            LuaState.leave(previous);
        }
    }

    @Test
    void decodeEncodeWithSortedKeysAndFloats() {
        assertEquals("{\"a\":[1,2.5,\"x\",null,true],\"b\":1.0,\"z\":{}}",
                lua("return nljson.encode(nljson.decode('{\"z\":{},\"b\":1.0,\"a\":[1,2.5,\"x\",null,true]}'))"));
        assertEquals("{\n  \"a\": [\n    1\n  ]\n}", lua("return nljson.encode_pretty(nljson.decode('{\"a\":[1]}'))"));
        assertEquals("{\"a\":[1]}", lua("return nljson.encode_pretty(nljson.decode('{\"a\":[1]}'), 0)"));
        assertEquals("[1e+20,0.1,-3.0]", lua("return tostring(nljson.decode('[1e20, 0.1, -3.0]'))"));
        assertEquals("\"caf\u00e9 \\\"q\\\" \\n\\u0001\"", lua("return nljson.encode(nljson.decode('\"caf\u00e9 \\\\\"q\\\\\" \\\\n\\\\u0001\"'))"));
    }

    @Test
    void readsOfMissingKeysAndIndexesGiveNil() {
        assertEquals("nil nil nil 1 2", lua("local o = nljson.decode('{\"a\":{\"b\":[1,2]}}')\n"
                + "return tostring(o.nope) .. ' ' .. tostring(o.a.b[3]) .. ' ' .. tostring(o.a.b[0]) .. ' ' .. o.a.b[1] .. ' ' .. #o.a.b"));
    }

    @Test
    void viewsAreLiveAndAssignmentConverts() {
        assertEquals("{\"a\":{\"b\":[1,null,null,\"x\"]},\"m\":{\"k\":1.0,\"n\":[1.0,2.0]},\"n\":null,\"t\":[1.0,2.0]}",
                lua("local o = nljson.decode('{\"a\":{\"b\":[1]}}')\n"
                        + "local b = o.a.b\n b[4] = 'x'\n"
                        + "o.t = {1, 2}\n o.m = {k = 1, n = {1, 2}}\n o.n = nil\n"
                        + "return nljson.encode(o)"));
        assertEquals("[[]]", lua("local o = nljson.decode('[]') ; o[1] = {} ; return tostring(o)"));
        assertEquals("{\"copy\":{\"x\":1},\"orig\":{\"x\":2.0}}", lua("local o = nljson.decode('{\"orig\":{\"x\":1}}')\n"
                + "o.copy = o.orig\n o.orig.x = 2\n return tostring(o)"));
    }

    @Test
    void moduleFunctions() {
        assertEquals("5 nil nil", lua("local o = nljson.decode('{\"7\":5}') ; "
                + "return tostring(nljson.find(o, 7)) .. ' ' .. tostring(nljson.find(o, 'x')) .. ' ' .. tostring(nljson.find(nljson.decode('[1]'), 1))"));
        assertEquals("true false [2,3] true {}", lua("local o = nljson.decode('{\"a\":1}')\n local a = nljson.decode('[1,2,3]')\n"
                + "local r1 = nljson.erase(o, 'a')\n local r2 = nljson.erase(o, 'a')\n nljson.erase(a, 0)\n"
                + "return tostring(r1) .. ' ' .. tostring(r2) .. ' ' .. tostring(a) .. ' ' .. tostring(nljson.empty(o)) .. ' ' .. tostring(o)"));
        assertEquals("object array number string boolean null", lua("local t = nljson.typename\n"
                + "return t(nljson.decode('{}')) .. ' ' .. t(nljson.decode('[]')) .. ' ' .. t(nljson.decode('1')) .. ' ' .. "
                + "t(nljson.decode('\"s\"')) .. ' ' .. t(nljson.decode('true')) .. ' ' .. t(nljson.decode('null'))"));
        assertEquals("a=1;b=x;", lua("local s = ''\n nljson.foreach(nljson.decode('{\"b\":\"x\",\"a\":1}'), "
                + "function(k, v) s = s .. k .. '=' .. tostring(v) .. ';' end)\n return s"));
        assertEquals("1:1;2:2;a:[1,2];", lua("local s = ''\n nljson.traverse(nljson.decode('{\"a\":[1,2]}'), "
                + "function(k, v) s = s .. k .. ':' .. tostring(v) .. ';' end)\n return s"));
        assertEquals("true", lua("local o = nljson.from_cbor(nljson.to_cbor(nljson.decode('{\"a\":[1,-2,1.5,\"s\",null,false]}')))\n"
                + "return tostring(nljson.encode(o) == '{\"a\":[1,-2,1.5,\"s\",null,false]}')"));
    }

    @Test
    void cborMappingOfTheOriginal() throws Exception {
        // integers shortest, floats always 8 bytes, definite lengths, sorted keys
        assertEquals("a2616101616282fb3ff8000000000000190100",
                HexFormat.of().formatHex(Cbor.encode(JsonText.parse("{\"b\":[1.5,256],\"a\":1}"))));
        assertEquals(1.0, Cbor.decode(HexFormat.of().parseHex("f93c00")), "half floats");
        assertEquals(Json.array(1L, 2L), Cbor.decode(HexFormat.of().parseHex("9f0102ff")), "indefinite arrays");
        assertEquals(Json.object("1", "a"), Cbor.decode(HexFormat.of().parseHex("a1016161")), "an integer key reads as its decimal string");
        for (String bad : new String[] {"43010203", "c11a514b67b0", "0102", ""}) {
            try {
                Cbor.decode(HexFormat.of().parseHex(bad));
                throw new AssertionError("accepted " + bad);
            } catch (Cbor.MalformedException expected) {
                // byte string, tag, trailing bytes, empty
            }
        }
    }

    @Test
    void murmurMatchesLibstdcxx() {
        // values printed by std::hash<std::string> / std::hash<size_t> (g++, libstdc++)
        assertEquals("553e93901e462a6e 454ddee488c1ed6b 26553298fdbe39c8 8c5b90a33a04dca5 8ead5e287cbb71c4 a265408ab2a93abc 000000000000002a",
                lua("local h = murmur.hashstr\n return table.concat({h(''), h('a'), h('hello'), h('12345678'), "
                        + "h('123456789abcdefgh'), h('LAppS murmur test string'), h(42)}, ' ')"));
    }
}
