package org.apogee.filters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecNodes;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The isolation filter's specs against the real {@code rings} module. Tagged "rings": the build
 * leaves this group out until rings is part of it (property {@code apogee.excluded.groups} in the
 * root pom); run it with {@code -Dapogee.excluded.groups=}. Without rings it fails, saying so.
 */
class IsolationRingsSpecTest {

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> isolationWithRings() throws IOException {
        LuaSpecNodes.copy(Path.of("src/test/lua"), work);
        LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.defaults());
        return FilterSpecTest.NEEDS_RINGS.stream().sorted()
                .flatMap(name -> LuaSpecNodes.tests(runtime, work.resolve(name)));
    }
}
