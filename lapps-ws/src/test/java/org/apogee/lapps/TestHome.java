package org.apogee.lapps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.apogee.core.lua.LuaRuntime;

/**
 * A LAPPS_HOME for the tests: the example services of examples/lapps (unmodified) plus the
 * test services, and a lapps.json. What services print is kept for the tests to read.
 *
 * <p>{@code -Dapogee.lapps.examples=DIR} takes the example services from another folder of
 * service directories instead, e.g. the examples of an original LAppS checkout, to run the same
 * suite against them.
 */
final class TestHome {

    final Path config;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final PrintStream stdout = new PrintStream(new OutputStream() {
        @Override public void write(int b) {
            synchronized (printed) { printed.write(b); }
            System.out.write(b);
        }

        @Override public void write(byte[] b, int off, int len) {
            synchronized (printed) { printed.write(b, off, len); }
            System.out.write(b, off, len);
        }
    }, true, StandardCharsets.UTF_8);

    TestHome(String configResource) throws IOException {
        Path home = Files.createTempDirectory("lapps-home");
        Path apps = home.resolve("apps");
        copyTree(Path.of(System.getProperty("apogee.lapps.examples", "../examples/lapps/apps")), apps);
        copyTree(Path.of("src/test/resources/lapps/apps"), apps);
        Files.createDirectories(home.resolve("conf"));
        config = home.resolve("conf/lapps.json");
        Files.copy(Path.of("src/test/resources/lapps").resolve(configResource), config);
    }

    String printed() {
        synchronized (printed) {
            return printed.toString(StandardCharsets.UTF_8);
        }
    }

    LappsHost start() throws IOException {
        return start(null);
    }

    /** Starts the host, relaying broadcasts through Redis when {@code redis} is a URL. */
    LappsHost start(String redis) throws IOException {
        LappsConfig cfg = LappsConfig.load(config);
        if (redis != null) cfg = cfg.withRedis(redis);
        return LappsHost.start(cfg, LappsHost.Options.defaults().withLua(LuaRuntime.Options.fromProcess(null).withStdout(stdout)));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dest);
                else Files.copy(p, dest);
            }
        }
    }
}
