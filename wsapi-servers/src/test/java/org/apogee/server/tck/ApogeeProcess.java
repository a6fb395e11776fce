package org.apogee.server.tck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The packaged {@code ./apogee} command in its own process, as a user starts it. */
public final class ApogeeProcess implements AutoCloseable {

    private final Process process;
    private final StringBuffer output = new StringBuffer();

    private ApogeeProcess(Process process) {
        this.process = process;
    }

    /** The repository's root folder (where ./apogee and ./apogee-cgi are). */
    public static Path home() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("apogee")) && Files.isRegularFile(dir.resolve("scripts/jdk.sh")))) {
            dir = dir.getParent();
        }
        if (dir == null) throw new IllegalStateException("./apogee not found above " + Path.of("").toAbsolutePath());
        return dir;
    }

    /** Runs {@code ./apogee ARGS} and waits until its output contains {@code ready}. */
    public static ApogeeProcess start(String ready, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home().resolve("apogee").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ApogeeProcess a = new ApogeeProcess(p);
        CompletableFuture<Void> seen = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    a.output.append(line).append('\n');
                    if (line.contains(ready)) seen.complete(null);
                }
            } catch (IOException e) {
                // the process ended
            }
            seen.completeExceptionally(new IllegalStateException("apogee exited before it was ready:\n" + a.output));
        });
        try {
            seen.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            a.kill();
            throw new IllegalStateException("apogee did not start: " + e.getMessage() + "\n" + a.output, e);
        }
        return a;
    }

    public String output() {
        return output.toString();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the process dies at once, as in a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM (a graceful stop); returns the exit status. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
