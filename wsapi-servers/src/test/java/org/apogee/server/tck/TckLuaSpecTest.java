package org.apogee.server.tck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Lua specs under {@code src/test/lua}: the behaviour suite's test apps run under
 * {@code wsapi.mock}, where they must answer as they do over HTTP.
 */
class TckLuaSpecTest {

    @TestFactory
    Stream<DynamicTest> luaSpecs() {
        LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.defaults());
        List<Path> files = LuaSpecs.find(Path.of("src/test/lua"));
        assertFalse(files.isEmpty(), "no spec files under src/test/lua");
        return files.stream().flatMap(file -> LuaSpecs.run(runtime, file).stream()).map(r ->
                DynamicTest.dynamicTest(r.spec() + ": " + r.name(), () -> {
                    switch (r.status()) {
                        case PASSED -> { }
                        case SKIPPED -> Assumptions.abort(r.message() == null ? "pending" : r.message());
                        case FAILED -> fail(r.message());
                    }
                }));
    }
}
