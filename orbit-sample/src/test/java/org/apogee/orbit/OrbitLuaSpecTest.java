package org.apogee.orbit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * Every {@code it} of every {@code src/test/lua/**}{@code /*_spec.lua} (LuaSQL on SQLite, Orbit, the
 * Orbit Board sample app) as a test. The specs run from a copy of that folder, so databases they create
 * stay out of the sources; {@code ORBIT_SAMPLE_APP} tells them where the sample app is.
 */
class OrbitLuaSpecTest {

    private static final Path SPECS = Path.of("src/test/lua");

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> luaSpecs() throws IOException {
        copy(SPECS, work);
        // the board's specs (board_spec.lua) load the sample app from app/, which is not copied
        Map<String, String> env = Map.of("ORBIT_SAMPLE_APP", Path.of("app").toAbsolutePath().toString());
        LuaRuntime runtime = new LuaRuntime(new LuaRuntime.Options(null, null, null, false, null, env));
        List<Path> files = LuaSpecs.find(work);
        assertFalse(files.isEmpty(), "no spec files under " + SPECS.toAbsolutePath());
        return files.stream().map(file -> {
            Path relative = work.relativize(file);
            Stream<DynamicNode> tests = Stream.of(file).flatMap(f -> tests(runtime, f));
            return DynamicContainer.dynamicContainer(relative.toString(), SPECS.resolve(relative).toUri(), tests);
        });
    }

    private static Stream<DynamicNode> tests(LuaRuntime runtime, Path file) {
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
