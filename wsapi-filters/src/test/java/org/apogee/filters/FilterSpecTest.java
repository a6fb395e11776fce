package org.apogee.filters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecNodes;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code it} of every {@code src/test/lua/**}{@code /*_spec.lua} as a test, run in process with
 * the filters on the class path. The specs run from a copy of that folder (they write files next to
 * themselves), with the project's sample apps copied in under {@code samples/}.
 */
class FilterSpecTest {

    private static final Path SPECS = Path.of("src/test/lua");
    /** Specs that need the rings module; {@link IsolationRingsSpecTest} runs them. */
    static final Set<String> NEEDS_RINGS = Set.of("isolation_rings_spec.lua");

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> luaSpecs() throws IOException {
        copySamples(work.resolve("samples"));
        return LuaSpecNodes.fromCopy(SPECS, work, new LuaRuntime(LuaRuntime.Options.defaults()),
                f -> !NEEDS_RINGS.contains(f.getFileName().toString()));
    }

    /** The sample apps of the project (examples/), which the lint and example specs run. */
    static void copySamples(Path to) throws IOException {
        Files.createDirectories(to);
        Path examples = Path.of("..", "examples");
        Files.copy(examples.resolve("hello.lua"), to.resolve("hello.lua"));
        LuaSpecNodes.copy(examples.resolve("hello-war/src/main/lua"), to.resolve("hello-war"));
        LuaSpecNodes.copy(examples.resolve("filters"), to.resolve("filters"));
    }
}
