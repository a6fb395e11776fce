package org.apogee.core.lua;

import java.util.Map;
import java.util.function.Function;

import org.luaj.vm2.LuaValue;

/**
 * Contributes Lua modules implemented in Java from other modules' jars (filters, WebSockets, ...).
 * Implementations are found with {@link java.util.ServiceLoader} (list them in
 * {@code META-INF/services/org.apogee.core.lua.LuaModuleProvider}); each module is offered to every
 * state through {@code package.preload} and built on its first {@code require} in that state.
 */
public interface LuaModuleProvider {

    /** Module name to factory; a factory builds the module's value for one state. */
    Map<String, Function<LuaState, LuaValue>> modules();
}
