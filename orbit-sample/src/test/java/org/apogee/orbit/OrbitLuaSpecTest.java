package org.apogee.orbit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecNodes;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code it} of every {@code src/test/lua/**}{@code /*_spec.lua} (LuaSQL on SQLite, Orbit, the
 * Orbit Board sample app) as a test. The specs run from a copy of that folder, so databases they create
 * stay out of the sources; {@code ORBIT_SAMPLE_APP} tells them where the sample app is.
 */
class OrbitLuaSpecTest {

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> luaSpecs() throws IOException {
        // the board's specs (board_spec.lua) load the sample app from app/, which is not copied
        Map<String, String> env = Map.of("ORBIT_SAMPLE_APP", Path.of("app").toAbsolutePath().toString());
        LuaRuntime runtime = new LuaRuntime(new LuaRuntime.Options(null, null, null, false, null, env));
        return LuaSpecNodes.fromCopy(Path.of("src/test/lua"), work, runtime, f -> true);
    }
}
