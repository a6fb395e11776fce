package org.apogee.core.lua;

import java.util.HashMap;
import java.util.Map;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The last {@code package.searchers} entry: it finds nothing, but when the missing module is one
 * that upstream Lua ships as a C library ({@code lpeg}, {@code socket}, {@code luasql.postgres},
 * {@code cjson}, ...) it adds to {@code require}'s "module not found" message that this is a native
 * module Apogee cannot load and does not provide. The usual list of places searched stays in the
 * message.
 */
final class NativeModules {

    private NativeModules() {}

    /** Module name (or the first part of a dotted name) -> the C library it comes from. */
    private static final Map<String, String> LIBRARIES = new HashMap<>();

    private static void add(String library, String... names) {
        for (String n : names) LIBRARIES.put(n, library);
    }

    static {
        add("LPeg", "lpeg", "re");
        add("LPegLabel", "lpeglabel", "relabel");
        add("LuaSocket", "socket", "mime");
        add("LuaSec", "ssl");
        add("LuaSQL", "luasql");
        add("lua-cjson", "cjson");
        add("luaposix", "posix");
        add("lsqlite3", "lsqlite3", "lsqlite3complete");
        add("lua-zlib / lzlib", "zlib", "lzlib");
        add("LuaExpat", "lxp");
        add("md5 (Kepler)", "md5", "des56");
        add("lua-iconv", "iconv");
        add("Lrexlib", "rex_pcre", "rex_pcre2", "rex_posix", "rex_onig", "rex_tre", "rex_gnu");
        add("WSAPI's FastCGI binding", "lfcgi");
        add("LuaJIT (built in there, not a module elsewhere)", "ffi", "jit");
        add("LuaBitOp (Apogee has bit32)", "bit");
        add("Lanes", "lanes");
        add("luv (libuv)", "luv");
        add("Lua-cURL", "cURL", "lcurl");
        add("lua-openssl / luaossl", "openssl", "_openssl");
        add("LuaCrypto", "crypto");
        add("lua-gd", "gd");
        add("struct", "struct");
        add("lua-cmsgpack", "cmsgpack");
        add("lyaml", "yaml", "lyaml");
        add("lzmq", "zmq", "lzmq");
        add("luasystem", "system");
        add("lua-term", "term");
        add("lunix", "unix");
        add("LGI", "lgi");
        add("Alien", "alien");
        add("lightningmdb", "lightningmdb", "lmdb");
        add("lua-hiredis", "hiredis");
        add("lua-protobuf", "pb");
        add("lua-bcrypt", "bcrypt");
        add("lua-argon2", "argon2");
        add("lsocket", "lsocket");
        add("nixio", "nixio");
        add("luasyslog", "lsyslog");
        add("lpty", "lpty");
    }

    /** The C library a module name belongs to, or null. */
    static String libraryOf(String name) {
        String lib = LIBRARIES.get(name);
        if (lib != null) return lib;
        int dot = name.indexOf('.');
        return dot > 0 ? LIBRARIES.get(name.substring(0, dot)) : null;
    }

    /** The explanation {@code require} adds for {@code name}, or null. */
    static String explanation(String name) {
        String lib = libraryOf(name);
        if (lib == null) return null;
        return "\n\t'" + name + "' is a native (C) module (" + lib + ") that Apogee does not provide: Apogee runs Lua "
                + "on the JVM and cannot load C modules";
    }

    static final LuaValue SEARCHER = new VarArgFunction() {
        @Override public Varargs invoke(Varargs args) {
            String why = explanation(args.checkjstring(1));
            return why == null ? NIL : valueOf(why);
        }
    };
}
