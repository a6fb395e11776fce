package org.apogee.core.lua;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * Runs Lua spec files ({@code *_spec.lua}) written for the {@code apogee.spec} library
 * ({@code describe}, {@code it}, {@code assert.equals}, ...) and reports their results as data.
 *
 * <p>Each file runs in a fresh state of the given runtime whose working directory is the file's
 * folder, so a spec can open, {@code dofile} and {@code require} files that sit next to it.
 */
public final class LuaSpecs {

    /** How one test ended. */
    public enum Status { PASSED, FAILED, SKIPPED }

    /**
     * One test of a spec file.
     *
     * @param spec    the spec file's name
     * @param name    the test's full name (enclosing {@code describe} names, then the {@code it} name)
     * @param status  passed, failed, or skipped ({@code pending})
     * @param message why it failed, with the file and line (null when it passed)
     */
    public record Result(String spec, String name, Status status, String message) {
        public Result {
            Objects.requireNonNull(spec);
            Objects.requireNonNull(name);
            Objects.requireNonNull(status);
        }

        public boolean failed() {
            return status == Status.FAILED;
        }
    }

    /** The suffix that makes a file a spec file. */
    public static final String SUFFIX = "_spec.lua";

    private LuaSpecs() {}

    /**
     * Runs one spec file in a fresh state of {@code runtime} (working directory: the file's folder).
     * A file that does not load, or fails outside its tests, gives a single failed result named after
     * the file; a test that calls {@code os.exit} fails and ends the file.
     */
    public static List<Result> run(LuaRuntime runtime, Path specFile) {
        Path file = specFile.toAbsolutePath().normalize();
        String spec = file.getFileName().toString();
        LuaState state = runtime.newState();
        state.chdir(file.getParent());
        LuaState previous = state.enter();
        try {
            LuaValue module = state.get("require").call(LuaValue.valueOf("apogee.spec"));
            LuaValue results = module.get("run_file").call(LuaValue.valueOf(spec), LuaValue.valueOf(spec));
            List<Result> out = new ArrayList<>();
            for (int i = 1, n = results.length(); i <= n; i++) {
                LuaValue r = results.get(i);
                LuaValue message = r.get("message");
                out.add(new Result(spec, r.get("name").tojstring(), status(r.get("status").tojstring()),
                        message.isnil() ? null : message.tojstring()));
            }
            return out;
        } catch (LuaExit e) {
            return List.of(new Result(spec, spec, Status.FAILED, "the spec called os.exit(" + e.status() + ")"));
        } catch (LuaError e) {
            return List.of(new Result(spec, spec, Status.FAILED, e.getMessage()));
        } catch (StackOverflowError e) {
            return List.of(new Result(spec, spec, Status.FAILED, "stack overflow"));
        } finally {
            state.runEndActions();
            LuaState.leave(previous);
        }
    }

    /** The spec files under {@code dir} (any depth), in a stable order. */
    public static List<Path> find(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs every spec file under {@code dir} with a runtime set up from this process (LUA_PATH,
     * environment) and prints each failure, then {@code N passed, M failed} (plus {@code , K skipped}
     * when tests are pending). Returns the number of failed tests.
     */
    public static int runAll(Path dir, PrintStream out) {
        LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.fromProcess(dir).withStdout(out));
        return runAll(runtime, dir, out);
    }

    /** {@link #runAll(Path, PrintStream)} with the given runtime. */
    public static int runAll(LuaRuntime runtime, Path dir, PrintStream out) {
        Path base = dir.toAbsolutePath().normalize();
        int passed = 0, failed = 0, skipped = 0;
        for (Path file : find(base)) {
            String shown = base.relativize(file.toAbsolutePath().normalize()).toString();
            for (Result r : run(runtime, file)) {
                switch (r.status()) {
                    case PASSED -> passed++;
                    case SKIPPED -> skipped++;
                    case FAILED -> {
                        failed++;
                        out.println("FAIL " + shown + ": " + r.name());
                        if (r.message() != null) out.println(indent(r.message()));
                    }
                }
            }
        }
        out.println(summary(passed, failed, skipped));
        out.flush();
        return failed;
    }

    /** {@code N passed, M failed}, plus {@code , K skipped} when K is not zero. */
    public static String summary(int passed, int failed, int skipped) {
        return passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : "");
    }

    private static String indent(String text) {
        return "    " + text.replace("\n", "\n    ");
    }

    private static Status status(String s) {
        return switch (s) {
            case "ok" -> Status.PASSED;
            case "pending" -> Status.SKIPPED;
            default -> Status.FAILED;
        };
    }
}
