package org.apogee.server.tck;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Tomcat 10 (the tomcat10 package, installed when missing) running one WAR file: a
 * CATALINA_BASE of its own written for the test (the package's conf files, a server.xml with one
 * HTTP connector on 127.0.0.1 and a free port, no shutdown port, WARs unpacked), started with
 * {@code catalina.sh run} on this JVM's Java and stopped by its process id. The system's Tomcat
 * service and /var/lib/tomcat10 are never touched.
 *
 * <pre>{@code
 * try (Tomcat tomcat = Tomcat.deploy(Path.of("target/orbit-sample.war"), "/board")) {
 *     client.send(HttpRequest.newBuilder(tomcat.url("/board/")).build(), ofString());
 * }
 * }</pre>
 */
public final class Tomcat implements AutoCloseable {

    private static final Path HOME = Path.of("/usr/share/tomcat10");

    private final Process process;
    private final Path base;
    private final boolean ownBase;
    private final int port;
    private final String contextPath;

    private Tomcat(Process process, Path base, boolean ownBase, int port, String contextPath) {
        this.process = process;
        this.base = base;
        this.ownBase = ownBase;
        this.port = port;
        this.contextPath = contextPath;
    }

    /** Deploys {@code war} at {@code contextPath} ("/hello"; "" or "/" for the root) and waits until it answers. */
    public static Tomcat deploy(Path war, String contextPath) throws Exception {
        return builder(war, contextPath).start();
    }

    public static Builder builder(Path war, String contextPath) {
        return new Builder(war, contextPath);
    }

    /** How to start one Tomcat. */
    public static final class Builder {
        private final Path war;
        private final String contextPath;
        private Path base;
        private final Map<String, String> env = new HashMap<>();
        private final List<String> removedEnv = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private String readyPath;
        private Duration timeout = Duration.ofSeconds(90);
        private boolean autoDeploy;

        private Builder(Path war, String contextPath) {
            this.war = war;
            String c = contextPath == null || contextPath.equals("/") ? "" : contextPath;
            if (!c.isEmpty() && (!c.startsWith("/") || c.endsWith("/"))) {
                throw new IllegalArgumentException("a context path is \"\" or starts with / and does not end with one: " + contextPath);
            }
            this.contextPath = c;
        }

        /** CATALINA_BASE: this folder (created when missing, left in place). Default: a temporary folder, deleted by {@link #close()}. */
        public Builder base(Path dir) {
            this.base = dir;
            return this;
        }

        /** An environment variable of the Tomcat process (seen by Lua apps through os.getenv). */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** A variable of this JVM's environment that the Tomcat process must not inherit. */
        public Builder removeEnv(String name) {
            removedEnv.add(name);
            return this;
        }

        /** JVM options (CATALINA_OPTS), e.g. {@code --enable-native-access=ALL-UNNAMED} or {@code -Dname=value}. */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** The path polled until it answers with something other than 404 (default: the context root, {@code contextPath + "/"}). */
        public Builder readyPath(String path) {
            this.readyPath = path;
            return this;
        }

        /**
         * Lets Tomcat's host deploy and undeploy while it runs (autoDeploy, checked every second): needed
         * by {@link Tomcat#undeploy}. Off by default.
         */
        public Builder autoDeploy(boolean on) {
            this.autoDeploy = on;
            return this;
        }

        /** How long to wait for it (default 90 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Tomcat start() throws Exception {
            if (!Files.isRegularFile(war)) throw new IllegalArgumentException("no WAR file at " + war);
            Packages.ensure("tomcat10");
            boolean own = base == null;
            Path dir = own ? Files.createTempDirectory("apogee-tomcat") : Files.createDirectories(base);
            Path conf = Files.createDirectories(dir.resolve("conf"));
            try (Stream<Path> files = Files.list(Path.of("/etc/tomcat10"))) {
                for (Path f : files.toList()) {
                    if (Files.isRegularFile(f)) Files.copy(f, conf.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            int port = Ports.free();
            Files.writeString(conf.resolve("server.xml"), """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <Server port="-1" shutdown="SHUTDOWN">
                      <Service name="Catalina">
                        <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"/>
                        <Engine name="Catalina" defaultHost="localhost" backgroundProcessorDelay="1">
                          <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="%b"/>
                        </Engine>
                      </Service>
                    </Server>
                    """.formatted(port, autoDeploy));
            for (String d : List.of("logs", "temp", "work", "webapps")) Files.createDirectories(dir.resolve(d));
            String name = contextPath.isEmpty() ? "ROOT" : contextPath.substring(1).replace('/', '#');
            Files.copy(war, dir.resolve("webapps/" + name + ".war"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ProcessBuilder pb = new ProcessBuilder(HOME.resolve("bin/catalina.sh").toString(), "run")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("logs/console.log").toFile());
            pb.environment().put("CATALINA_HOME", HOME.toString());
            pb.environment().put("CATALINA_BASE", dir.toString());
            pb.environment().put("CATALINA_TMPDIR", dir.resolve("temp").toString());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            // no --add-exports unless asked: inside a container, coroutines run on the virtual-thread engine
            pb.environment().remove("JAVA_OPTS");
            pb.environment().remove("CATALINA_OPTS");
            if (!jvmOptions.isEmpty()) pb.environment().put("CATALINA_OPTS", String.join(" ", jvmOptions));
            removedEnv.forEach(pb.environment()::remove);
            pb.environment().putAll(env);
            Tomcat tomcat = new Tomcat(pb.start(), dir, own, port, contextPath);
            try {
                tomcat.awaitAnswer(readyPath != null ? readyPath : contextPath + "/", timeout);
            } catch (Exception | AssertionError e) {
                String log = tomcat.log();
                tomcat.close();
                throw new IllegalStateException(e.getMessage() + "\n" + log, e);
            }
            return tomcat;
        }
    }

    private void awaitAnswer(String path, Duration timeout) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("Tomcat exited with " + process.exitValue());
            try {
                int status = client.send(HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 404) return;
                last = "404";
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Tomcat did not serve " + path + " within " + timeout + " (" + last + ")");
    }

    /**
     * Undeploys the application as an operator would without the manager: deletes its WAR from webapps/
     * and waits until Tomcat has stopped it and removed the unpacked folder (needs
     * {@link Builder#autoDeploy}). Tomcat's own messages about it are then in {@link #log()}.
     */
    public void undeploy(Duration timeout) throws Exception {
        Files.deleteIfExists(base.resolve("webapps/" + warName() + ".war"));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Files.exists(webapp())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("Tomcat did not undeploy " + warName() + " within " + timeout + "\n" + log());
            if (!process.isAlive()) throw new IllegalStateException("Tomcat exited with " + process.exitValue() + "\n" + log());
            Thread.sleep(200);
        }
    }

    private String warName() {
        return contextPath.isEmpty() ? "ROOT" : contextPath.substring(1).replace('/', '#');
    }

    public int port() {
        return port;
    }

    /** The context path as deployed: "" for the root, else "/name". */
    public String contextPath() {
        return contextPath;
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path}, which starts at the server root (include the context path). */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** {@code ws://127.0.0.1:PORT} followed by {@code path} (from the server root). */
    public URI wsUrl(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /** CATALINA_BASE. */
    public Path base() {
        return base;
    }

    /** The unpacked web application (CATALINA_BASE/webapps/NAME), where WEB-INF/app lives at run time. */
    public Path webapp() {
        return base.resolve("webapps/" + (contextPath.isEmpty() ? "ROOT" : contextPath.substring(1).replace('/', '#')));
    }

    /** The JVM's process id (catalina.sh run execs java). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The console output and Tomcat's log files so far, for assertion messages. */
    public String log() {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(base.resolve("logs"))) {
            for (Path f : files.sorted().toList()) {
                sb.append("==> ").append(f.getFileName()).append(" <==\n");
                try {
                    sb.append(Files.readString(f)).append('\n');
                } catch (IOException e) {
                    sb.append("(").append(e.getMessage()).append(")\n");
                }
            }
        } catch (IOException e) {
            sb.append("(").append(e.getMessage()).append(")");
        }
        return sb.toString();
    }

    /** SIGTERM by process id (Tomcat undeploys the application), SIGKILL after 20 s; the temporary CATALINA_BASE goes. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (!ownBase) return;
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
