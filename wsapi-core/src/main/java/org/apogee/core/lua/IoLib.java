package org.apogee.core.lua;

import java.io.IOException;

import org.luaj.vm2.lib.jse.JseIoLib;

/** LuaJ's io library with file names resolved against the state's virtual working directory. */
final class IoLib extends JseIoLib {
    private final LuaState state;

    IoLib(LuaState state) {
        this.state = state;
    }

    @Override
    protected File openFile(String filename, boolean readMode, boolean appendMode, boolean updateMode, boolean binaryMode)
            throws IOException {
        return super.openFile(state.resolve(filename).toString(), readMode, appendMode, updateMode, binaryMode);
    }
}
