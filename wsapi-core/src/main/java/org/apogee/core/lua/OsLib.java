package org.apogee.core.lua;

import java.io.IOException;
import java.nio.file.Files;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JseOsLib;

/**
 * LuaJ's os library with paths resolved against the state's working directory, {@code getenv}
 * answered from the runtime's environment, and {@code os.exit} ending the script instead of the JVM.
 */
final class OsLib extends JseOsLib {
    private final LuaState state;

    OsLib(LuaState state) {
        this.state = state;
    }

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaTable os = (LuaTable) super.call(modname, env);
        os.set("exit", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaValue code = args.arg1();
                int status = code.isnil() ? 0 : code.isboolean() ? (code.toboolean() ? 0 : 1) : code.checkint();
                throw new LuaExit(status);
            }
        });
        return os;
    }

    @Override
    protected String getenv(String name) {
        return state.runtime().options().environment().get(name);
    }

    @Override
    protected void remove(String filename) throws IOException {
        Files.delete(state.resolve(filename));
    }

    @Override
    protected void rename(String oldname, String newname) throws IOException {
        Files.move(state.resolve(oldname), state.resolve(newname), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
