package org.apogee.filters;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
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
        copy(SPECS, work);
        copySamples(work.resolve("samples"));
        LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.defaults());
        List<Path> files = LuaSpecs.find(work).stream()
                .filter(f -> !NEEDS_RINGS.contains(f.getFileName().toString()))
                .toList();
        assertFalse(files.isEmpty(), "no spec files under " + SPECS.toAbsolutePath());
        return files.stream().map(file -> {
            Path relative = work.relativize(file);
            Stream<DynamicNode> tests = Stream.of(file).flatMap(f -> tests(runtime, f));
            return DynamicContainer.dynamicContainer(relative.toString(), SPECS.resolve(relative).toUri(), tests);
        });
    }

    static Stream<DynamicNode> tests(LuaRuntime runtime, Path file) {
        List<LuaSpecs.Result> results = LuaSpecs.run(runtime, file);
        if (results.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("(no tests)", () -> fail(file.getFileName() + " defines no tests")));
        }
        return results.stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            switch (r.status()) {
                case PASSED -> { }
                case SKIPPED -> Assumptions.abort(r.message() == null ? "pending" : r.message());
                case FAILED -> fail(r.message());
            }
        }));
    }

    /** The sample apps of the project (examples/), which the lint and example specs run. */
    static void copySamples(Path to) throws IOException {
        Files.createDirectories(to);
        Path examples = Path.of("..", "examples");
        Files.copy(examples.resolve("hello.lua"), to.resolve("hello.lua"));
        copy(examples.resolve("hello-war/src/main/lua"), to.resolve("hello-war"));
        copy(examples.resolve("filters"), to.resolve("filters"));
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(target);
                    else Files.copy(p, target);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
