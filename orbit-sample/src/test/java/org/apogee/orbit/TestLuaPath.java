package org.apogee.orbit;

import java.nio.file.Path;
import java.util.List;

/**
 * Extra Lua search folders for the tests: {@code src/test/lua-wsapi} holds stand-ins for
 * {@code wsapi.request}, {@code wsapi.response} and {@code wsapi.util}, used only while the core does not
 * ship those libraries yet.
 */
final class TestLuaPath {

    private TestLuaPath() {}

    static List<Path> extra() {
        boolean shipped = TestLuaPath.class.getClassLoader().getResource("lua/wsapi/request.lua") != null;
        return shipped ? List.of() : List.of(Path.of("src/test/lua-wsapi").toAbsolutePath());
    }

    /** The same as a LUA_PATH value (";;" is the default path), or null when nothing is needed. */
    static String luaPath() {
        List<Path> dirs = extra();
        return dirs.isEmpty() ? null : dirs.get(0) + "/?.lua;;";
    }
}
