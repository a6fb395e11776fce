package org.apogee.core.lua;

import org.luaj.vm2.LuaValue;

/**
 * A Lua module implemented in Java by another Apogee module (found with {@link java.util.ServiceLoader}
 * through {@code META-INF/services/org.apogee.core.lua.LuaModuleProvider}). Every state offers it
 * through {@code package.preload}, so {@code require(name())} builds it on first use in that state.
 */
public interface LuaModuleProvider {

    /** The name scripts require, e.g. {@code "apogee.websocket"}. */
    String name();

    /** Builds the module for one state; called on the state's thread, at most once per state. */
    LuaValue create(LuaState state);
}
