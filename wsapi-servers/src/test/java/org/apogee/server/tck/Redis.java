package org.apogee.server.tck;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway redis-server (Debian's package, installed when missing) on 127.0.0.1 and a free port,
 * nothing saved to disk, its configuration and log in a temporary folder; stopped by its process id
 * and the folder removed. For Redis sessions and LAppS broadcasts shared by several Apogee nodes.
 */
public final class Redis implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;

    private Redis(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static Redis start() throws Exception {
        Packages.ensure("redis-server");
        Path dir = Files.createTempDirectory("apogee-redis");
        int port = Nginx.freePort();
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port, "bind 127.0.0.1", "protected-mode yes", "save \"\"", "appendonly no",
                "daemonize no", "dir " + dir, "logfile \"\"", ""));
        Process p = new ProcessBuilder("/usr/bin/redis-server", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        Redis redis = new Redis(p, port, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!accepts(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String log = redis.log();
                redis.close();
                throw new IllegalStateException("redis-server did not start:\n" + log);
            }
            Thread.sleep(50);
        }
        return redis;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT} (add {@code /N} for a database). */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** The server's log so far, for assertion messages. */
    public String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM by process id (SIGKILL if it lingers), then the folder goes. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
