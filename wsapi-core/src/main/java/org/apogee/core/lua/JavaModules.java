package org.apogee.core.lua;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;

/**
 * Lua modules implemented in Java, offered to every state through {@code package.preload}, so
 * {@code require "name"} builds them on first use in that state. Other modules on the class path
 * add theirs as {@link LuaModuleProvider} services.
 */
final class JavaModules {

    private static final Map<String, Function<LuaState, LuaValue>> MODULES = new LinkedHashMap<>();

    static {
        // name -> factory; each factory builds the module table for one state
        MODULES.put("apogee.multipart", MultipartLib::create);
        MODULES.put("apogee.urlcode", UrlCodeLib::create);
        MODULES.put("apogee.paths", PathsLib::create);
        MODULES.put("rings", RingsLib::create);
        MODULES.put("stable", RingsLib::stable);
        MODULES.put("lfs", LfsLib::create);
        MODULES.put("apogee.config", ConfigLib::create);
        for (LuaModuleProvider provider : ServiceLoader.load(LuaModuleProvider.class, JavaModules.class.getClassLoader())) {
            MODULES.putAll(provider.modules());
        }
    }

    private JavaModules() {}

    static void install(LuaState state, LuaTable preload) {
        for (Map.Entry<String, Function<LuaState, LuaValue>> e : MODULES.entrySet()) {
            Function<LuaState, LuaValue> factory = e.getValue();
            preload.set(e.getKey(), new OneArgFunction() {
                @Override public LuaValue call(LuaValue name) {
                    return factory.apply(state);
                }
            });
        }
    }
}
