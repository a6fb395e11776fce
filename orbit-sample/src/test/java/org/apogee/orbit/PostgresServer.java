package org.apogee.orbit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apogee.server.tck.Packages;
import org.apogee.server.tck.Ports;

/**
 * A throwaway PostgreSQL server from the Debian package: a fresh cluster in a temporary folder,
 * listening on a free loopback port, trusted local logins for user {@code apogee}. Root cannot run
 * postgres, so as root the server runs as the {@code postgres} user. Closing stops it (by its PID) and
 * deletes the cluster.
 */
final class PostgresServer implements AutoCloseable {

    static final String USER = "apogee";

    final int port;
    final Path dir;
    private final Process process;

    private PostgresServer(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    static PostgresServer start() throws Exception {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("apogee-pg-");
        Path data = dir.resolve("data");
        if (root) run(List.of("chown", "postgres", dir.toString()), 30);
        run(as(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync"), 120);
        int port = Ports.free();
        ProcessBuilder pb = new ProcessBuilder(as(root, bin.resolve("postgres").toString(), "-D", data.toString(),
                "-k", dir.toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-F"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        Process p = pb.start();
        PostgresServer server = new PostgresServer(port, dir, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!p.isAlive()) {
                String log = Files.readString(dir.resolve("server.log"));
                server.close();
                throw new IllegalStateException("postgres exited:\n" + log);
            }
            if (Ports.accepts(port) && Files.exists(data.resolve("postmaster.pid"))) {
                // the port opens a moment before the server accepts logins: try a real one
                if (run(as(root, bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port)), 10, null)) break;
            }
            if (System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException("postgres did not start in time");
            }
            Thread.sleep(100);
        }
        return server;
    }

    /** The newest {@code /usr/lib/postgresql/N/bin}, installing the package when it is missing. */
    static Path binaries() throws Exception {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base) || newest(base) == null) Packages.ensure("postgresql");
        Path v = newest(base);
        if (v == null) throw new IllegalStateException("no PostgreSQL under " + base);
        return v.resolve("bin");
    }

    private static Path newest(Path base) throws IOException {
        if (!Files.isDirectory(base)) return null;
        try (Stream<Path> s = Files.list(base)) {
            return s.filter(p -> Files.isExecutable(p.resolve("bin/postgres")))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
        }
    }

    private static List<String> as(boolean root, String... cmd) {
        List<String> out = new ArrayList<>();
        if (root) out.addAll(List.of("runuser", "-u", "postgres", "--"));
        out.addAll(List.of(cmd));
        return out;
    }

    private static void run(List<String> cmd, int seconds) throws Exception {
        Path log = Files.createTempFile("apogee-pg-cmd-", ".log");
        try {
            if (!run(cmd, seconds, log)) {
                throw new IllegalStateException("failed: " + String.join(" ", cmd) + "\n" + Files.readString(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Runs a command with its output in {@code log} (or discarded), never on this JVM's own streams. */
    private static boolean run(List<String> cmd, int seconds, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log.toFile()));
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    /** Stops the server: SIGINT (fast shutdown) to the postmaster's PID, then a kill after 20 s. */
    @Override
    public void close() {
        try {
            Path pidFile = dir.resolve("data/postmaster.pid");
            long pid = -1;
            if (Files.exists(pidFile)) pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            if (pid > 0) {
                new ProcessBuilder("kill", "-INT", String.valueOf(pid)).start().waitFor(10, TimeUnit.SECONDS);
                ProcessHandle h = ProcessHandle.of(pid).orElse(null);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (h != null && h.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
                if (h != null && h.isAlive()) h.destroyForcibly();
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (Exception e) {
            process.destroyForcibly();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary folder left behind
            }
        }
    }
}
