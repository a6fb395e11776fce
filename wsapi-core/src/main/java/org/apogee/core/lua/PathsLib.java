package org.apogee.core.lua;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;

/**
 * {@code require "apogee.paths"}: the few file-system calls {@code wsapi.common} makes to find and
 * load app scripts, with LuaFileSystem's names and results, on the state's virtual working
 * directory: {@code attributes(path[, name])} ({@code mode}, {@code modification}, {@code size}),
 * {@code chdir(path)} and {@code currentdir()}.
 */
final class PathsLib {

    private PathsLib() {}

    static LuaValue create(LuaState state) {
        LuaTable module = new LuaTable();
        module.set("attributes", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String name = args.checkjstring(1);
                Path p = state.resolve(name);
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (IOException | RuntimeException e) {
                    return varargsOf(NIL, valueOf("cannot obtain information from file '" + name + "'"));
                }
                LuaTable t = new LuaTable();
                t.set("mode", a.isDirectory() ? "directory" : a.isRegularFile() ? "file" : "other");
                t.set("modification", valueOf((double) (a.lastModifiedTime().toMillis() / 1000)));
                t.set("size", valueOf((double) a.size()));
                return args.isnoneornil(2) ? t : t.get(args.arg(2));
            }
        });
        module.set("chdir", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String name = args.checkjstring(1);
                Path p = state.resolve(name);
                if (!Files.isDirectory(p)) return varargsOf(NIL, valueOf("unable to change working directory to '" + name + "'"));
                state.chdir(p);
                return TRUE;
            }
        });
        module.set("currentdir", new ZeroArgFunction() {
            @Override public LuaValue call() {
                return valueOf(state.cwd().toString());
            }
        });
        return module;
    }
}
