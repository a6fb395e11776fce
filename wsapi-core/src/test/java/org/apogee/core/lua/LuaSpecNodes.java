package org.apogee.core.lua;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * Lua specs as JUnit dynamic tests, for every module's spec runner (published in wsapi-core's test-jar):
 * one container per spec file, one test per {@code it}, a {@code pending} spec shown as skipped.
 */
public final class LuaSpecNodes {

    private LuaSpecNodes() {}

    /**
     * The specs of {@code sources} (e.g. {@code src/test/lua}), run from a copy in {@code work} because specs
     * write files next to themselves. Containers link to the source files.
     */
    public static Stream<DynamicNode> fromCopy(Path sources, Path work, LuaRuntime runtime, Predicate<Path> include) throws IOException {
        copy(sources, work);
        List<Path> files = LuaSpecs.find(work).stream().filter(include).toList();
        assertFalse(files.isEmpty(), "no spec files under " + sources.toAbsolutePath());
        return files.stream().map(file -> {
            Path relative = work.relativize(file);
            // The stream is consumed when the container runs, so each file runs in its turn.
            Stream<DynamicNode> tests = Stream.of(file).flatMap(f -> tests(runtime, f));
            return DynamicContainer.dynamicContainer(relative.toString(), sources.resolve(relative).toUri(), tests);
        });
    }

    /** The {@code it}s of one spec file; a file without any is a failure. */
    public static Stream<DynamicNode> tests(LuaRuntime runtime, Path file) {
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

    /** Copies a folder tree (or a file) into {@code to}. */
    public static void copy(Path from, Path to) throws IOException {
        copy(from, to, relative -> true);
    }

    /** Copies the paths of a folder tree whose path relative to {@code from} passes {@code include}. */
    public static void copy(Path from, Path to, Predicate<Path> include) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.filter(p -> include.test(from.relativize(p))).forEach(p -> {
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
