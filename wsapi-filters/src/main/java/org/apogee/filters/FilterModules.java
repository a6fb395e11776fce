package org.apogee.filters;

import java.util.Map;
import java.util.function.Function;

import org.apogee.core.lua.LuaModuleProvider;
import org.apogee.core.lua.LuaState;
import org.apogee.filters.logging.LogFileModule;
import org.apogee.filters.session.CryptoModule;
import org.apogee.filters.session.SessionStoreModule;
import org.apogee.filters.staticfiles.FilesModule;
import org.luaj.vm2.LuaValue;

/** The filters' Java-implemented Lua modules, offered to every Lua state (see {@link LuaModuleProvider}). */
public final class FilterModules implements LuaModuleProvider {

    @Override
    public Map<String, Function<LuaState, LuaValue>> modules() {
        return Map.of(
                "wsapi.filters.crypto", CryptoModule::create,
                "wsapi.filters.session_store", SessionStoreModule::create,
                "wsapi.filters.logfile", LogFileModule::create,
                "wsapi.filters.files", FilesModule::create,
                "wsapi.filters.request_end", RequestModule::create);
    }
}
