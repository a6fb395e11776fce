package org.apogee.core.lua;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code it} of every {@code src/test/lua/**}{@code /*_spec.lua} as a test. The specs run from a
 * copy of that folder, so those that write files next to themselves leave the sources alone.
 */
class LuaSpecTest {

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> luaSpecs() throws IOException {
        return LuaSpecNodes.fromCopy(Path.of("src/test/lua"), work, new LuaRuntime(LuaRuntime.Options.defaults()), f -> true);
    }
}
