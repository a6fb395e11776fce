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
        String path = state.resolve(filename).toString();
        if (readMode && updateMode) {
            // "r+": LuaJ opens it read-only. Open for writing without truncating, at the start.
            if (!new java.io.File(path).isFile()) throw new java.io.FileNotFoundException(filename + ": No such file or directory");
            File f = super.openFile(path, false, true, true, binaryMode);
            f.seek("set", 0);
            return f;
        }
        return super.openFile(path, readMode, appendMode, updateMode, binaryMode);
    }
}
