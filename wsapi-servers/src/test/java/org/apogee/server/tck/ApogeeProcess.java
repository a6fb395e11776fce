package org.apogee.server.tck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code apogee} command in its own process, as a user starts it: by the repository's
 * {@code ./apogee} script (the packaged jars; builds first when they are stale) or with
 * {@code java -cp} and this JVM's class path ({@code org.apogee.cli.Apogee}). Output (stdout and
 * stderr together) is collected; the process is stopped by its process id.
 *
 * <pre>{@code
 * try (ApogeeProcess node = ApogeeProcess.serve("orbit-sample").directory(home).env("BOARD_DB", db).start()) {
 *     HttpResponse<String> r = client.send(HttpRequest.newBuilder(node.url("/")).build(), ofString());
 * }
 * }</pre>
 */
public final class ApogeeProcess implements AutoCloseable {

    /** How the command is started. */
    public enum Launcher {
        /** {@code ./apogee ARGS} from the repository root: the packaged jars, as users run it. */
        SCRIPT,
        /** {@code java [JVM options] -cp CLASSPATH org.apogee.cli.Apogee ARGS}: by default this JVM's class path. */
        CLASS_PATH
    }

    private static final Pattern HTTP_PORT = Pattern.compile(" on https?://(?:\\[[^]]*]|[^:/\\s]+):(\\d+)/");
    private static final Pattern FCGI_PORT = Pattern.compile("Apogee FastCGI serving .* on (?:\\[[^]]*]|[^:\\s]+):(\\d+) ");

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private volatile int port = -1;
    private volatile boolean ended;

    private ApogeeProcess(Process process) {
        this.process = process;
    }

    /** The repository's root folder (where ./apogee and ./apogee-cgi are). */
    public static Path home() {
        return Packages.repository();
    }

    /** Runs {@code ./apogee ARGS} and waits (up to 120 s) until its output contains {@code ready}. */
    public static ApogeeProcess start(String ready, String... args) throws Exception {
        return command(args).readyText(ready).start();
    }

    /**
     * {@code apogee serve ARGS}, on a free port unless {@link Builder#port} or {@link Builder#noPortOption}
     * says otherwise; {@link Builder#start} returns once it answers HTTP.
     */
    public static Builder serve(String... args) {
        return new Builder("serve", args);
    }

    /**
     * {@code apogee fcgi ARGS}, listening on a free port of 127.0.0.1 unless {@link Builder#port} or
     * {@link Builder#noPortOption} says otherwise; {@link Builder#start} returns once it accepts connections.
     */
    public static Builder fcgi(String... args) {
        return new Builder("fcgi", args);
    }

    /** {@code apogee ARGS} (any command); give {@link Builder#readyText} for long-running ones. */
    public static Builder command(String... args) {
        return new Builder(null, args);
    }

    /** How to start one process; {@link #start()} can be called again for another one. */
    public static final class Builder {
        private final String command;
        private final List<String> args;
        private Path directory;
        private final Map<String, String> env = new HashMap<>();
        private final Set<String> removed = new HashSet<>();
        private Integer port;
        private boolean portOption = true;
        private Launcher launcher = Launcher.SCRIPT;
        private String classPath = System.getProperty("java.class.path");
        private final List<String> jvmOptions = new ArrayList<>();
        private String ready;
        private Duration timeout = Duration.ofSeconds(120);

        private Builder(String command, String... args) {
            this.command = command;
            this.args = List.of(args);
        }

        /** The working directory (default: this JVM's). */
        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        /** Sets an environment variable of the process (on top of this JVM's environment). */
        public Builder env(String name, String value) {
            env.put(name, value);
            removed.remove(name);
            return this;
        }

        public Builder env(Map<String, String> values) {
            values.forEach(this::env);
            return this;
        }

        /** Leaves a variable of this JVM's environment out (LUA_PATH, LAPPS_HOME, ...). */
        public Builder removeEnv(String name) {
            env.remove(name);
            removed.add(name);
            return this;
        }

        /**
         * The port: {@code --port N} for serve, {@code --listen 127.0.0.1:N} for fcgi (0: the server picks
         * one; the process learns it from the output). Without it, the harness picks a free port.
         */
        public Builder port(int port) {
            this.port = port;
            this.portOption = true;
            return this;
        }

        /** No port option: the command line or apogee.properties gives it; {@link ApogeeProcess#port()} reads it from the output. */
        public Builder noPortOption() {
            this.portOption = false;
            return this;
        }

        public Builder launcher(Launcher launcher) {
            this.launcher = launcher;
            return this;
        }

        /** For {@link Launcher#CLASS_PATH}: the class path (default: this JVM's {@code java.class.path}). */
        public Builder classPath(String classPath) {
            this.classPath = classPath;
            return this;
        }

        /** Extra JVM options: on the java command line, or in JAVA_OPTS for {@link Launcher#SCRIPT}. */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** Text in the output that means the process is up (default for serve and fcgi: their "Apogee ... serving" line). */
        public Builder readyText(String text) {
            this.ready = text;
            return this;
        }

        /** How long {@link #start()} waits for it (default 120 s: the script may build first). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Starts the process and waits until it is ready (it answers, for serve and fcgi); kills it when it is not. */
        public ApogeeProcess start() throws Exception {
            List<String> cmd = new ArrayList<>();
            if (launcher == Launcher.SCRIPT) {
                cmd.add(home().resolve("apogee").toString());
            } else {
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.addAll(List.of("--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
                if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
                cmd.addAll(jvmOptions);
                cmd.addAll(List.of("-cp", classPath, "org.apogee.cli.Apogee"));
            }
            List<String> apogeeArgs = new ArrayList<>();
            int chosen = -1;
            if (command != null) {
                apogeeArgs.add(command);
                if (portOption) {
                    chosen = port != null ? port : Ports.free();
                    if (command.equals("serve")) apogeeArgs.addAll(List.of("--port", String.valueOf(chosen)));
                    else apogeeArgs.addAll(List.of("--listen", "127.0.0.1:" + chosen));
                }
            }
            apogeeArgs.addAll(args);
            cmd.addAll(apogeeArgs);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (directory != null) pb.directory(directory.toFile());
            removed.forEach(pb.environment()::remove);
            pb.environment().putAll(env);
            if (launcher == Launcher.SCRIPT && !jvmOptions.isEmpty()) {
                String before = pb.environment().getOrDefault("JAVA_OPTS", "");
                pb.environment().put("JAVA_OPTS", (before + " " + String.join(" ", jvmOptions)).trim());
            }
            ApogeeProcess a = new ApogeeProcess(pb.start());
            if (chosen > 0) a.port = chosen;
            a.readOutput(command);
            String readyText = ready != null ? ready
                    : "serve".equals(command) ? "Apogee serving" : "fcgi".equals(command) ? "Apogee FastCGI serving" : null;
            try {
                if (readyText != null) a.awaitOutput(readyText, timeout);
                if ("serve".equals(command) || "fcgi".equals(command)) a.awaitAnswering(command, timeout);
            } catch (Exception | AssertionError e) {
                a.kill();
                throw new IllegalStateException("apogee " + String.join(" ", apogeeArgs) + " did not start: " + e.getMessage()
                        + "\n" + a.output(), e);
            }
            return a;
        }
    }

    private void readOutput(String command) {
        Pattern portLine = "fcgi".equals(command) ? FCGI_PORT : HTTP_PORT;
        Thread.ofVirtual().name("apogee-output-" + process.pid()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (port <= 0) {
                        Matcher m = portLine.matcher(line);
                        if (m.find()) port = Integer.parseInt(m.group(1));
                    }
                    output.append(line).append('\n');
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                ended = true;
            }
        });
    }

    private void awaitAnswering(String command, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (port <= 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no port in the output");
            Thread.sleep(20);
        }
        if (!Ports.awaitAccepting(port, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
            throw new IllegalStateException("nothing accepts connections on port " + port);
        }
        if (!command.equals("serve") || output().contains(" on https://")) return;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        while (true) {
            try {
                client.send(HttpRequest.newBuilder(url("/")).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.discarding());
                return; // any answer
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !isAlive()) throw new IllegalStateException("no HTTP answer on port " + port + ": " + notYet);
                Thread.sleep(50);
            }
        }
    }

    /** Waits until the output contains {@code text}; fails when the process ends or {@code timeout} passes first. */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (ended && !output().contains(text)) throw new IllegalStateException("apogee exited before printing '" + text + "'");
            if (System.nanoTime() > deadline) throw new IllegalStateException("'" + text + "' not printed within " + timeout);
            Thread.sleep(20);
        }
    }

    /** Waits until the process ends by itself and its output is read; returns the exit status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("apogee still runs after " + timeout + ":\n" + output());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ended && System.nanoTime() < deadline) Thread.sleep(10);
        return process.exitValue();
    }

    /** The port it serves on (given, picked by the harness, or read from the output); -1 when unknown. */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path} (which starts with /). */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** {@code ws://127.0.0.1:PORT} followed by {@code path}. */
    public URI wsUrl(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /** The process id (the JVM's: ./apogee execs java). */
    public long pid() {
        return process.pid();
    }

    /** Everything printed so far (stdout and stderr). */
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

    /** SIGTERM (a graceful stop) by process id, SIGKILL after 30 s; returns the exit status. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /** Stops it when it still runs. */
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
