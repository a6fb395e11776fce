package org.apogee.server.tck;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's package, installed when missing) on 127.0.0.1 and a free port, with a
 * configuration written for the test into its own temporary folder; stopped by its process id,
 * and the folder removed. It never reads /etc/nginx: the default site, which listens on :80,
 * stays off.
 */
public final class Nginx implements AutoCloseable {

    /** nginx's stock fastcgi_params (Debian's copy also overrides HTTP_HOST, dropping the port). */
    public static final String FASTCGI_PARAMS = """
            fastcgi_param  QUERY_STRING       $query_string;
            fastcgi_param  REQUEST_METHOD     $request_method;
            fastcgi_param  CONTENT_TYPE       $content_type;
            fastcgi_param  CONTENT_LENGTH     $content_length;
            fastcgi_param  SCRIPT_NAME        $fastcgi_script_name;
            fastcgi_param  REQUEST_URI        $request_uri;
            fastcgi_param  DOCUMENT_URI       $document_uri;
            fastcgi_param  DOCUMENT_ROOT      $document_root;
            fastcgi_param  SERVER_PROTOCOL    $server_protocol;
            fastcgi_param  REQUEST_SCHEME     $scheme;
            fastcgi_param  HTTPS              $https if_not_empty;
            fastcgi_param  GATEWAY_INTERFACE  CGI/1.1;
            fastcgi_param  SERVER_SOFTWARE    nginx/$nginx_version;
            fastcgi_param  REMOTE_ADDR        $remote_addr;
            fastcgi_param  REMOTE_PORT        $remote_port;
            fastcgi_param  SERVER_ADDR        $server_addr;
            fastcgi_param  SERVER_PORT        $server_port;
            fastcgi_param  SERVER_NAME        $server_name;
            """;

    /**
     * For the {@code http} argument of {@link #start}: {@code $connection_upgrade}, which
     * {@link #PROXY_WEBSOCKETS} sends on.
     */
    public static final String WEBSOCKET_MAP = """
            map $http_upgrade $connection_upgrade { default upgrade; '' close; }
            """;

    /**
     * Inside a {@code location} next to {@code proxy_pass http://127.0.0.1:PORT;}: passes WebSocket
     * upgrades through and keeps the client's host and address visible (needs {@link #WEBSOCKET_MAP}).
     */
    public static final String PROXY_WEBSOCKETS = """
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 3600s;
            """;

    private final Process process;
    private final int port;
    private final Path dir;

    private Nginx(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts nginx with one server block: {@code serverBody} goes inside {@code server { }} after the
     * listen line; {@code http} is added to the http block (upstreams). {@code include fastcgi_params}
     * reads {@link #FASTCGI_PARAMS}.
     */
    public static Nginx start(String serverBody, String http) throws Exception {
        Packages.ensure("nginx");
        Path dir = Files.createTempDirectory("apogee-nginx");
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("fastcgi_params"), FASTCGI_PARAMS);
        int port = Ports.free();
        String conf = """
                daemon off;
                master_process on;
                worker_processes 1;
                user root;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 2048; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  fastcgi_temp_path %1$s/fastcgi;
                  proxy_temp_path %1$s/proxy;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  default_type application/octet-stream;
                  %3$s
                  server {
                    listen 127.0.0.1:%2$d;
                    server_name 127.0.0.1;
                    %4$s
                  }
                }
                """.formatted(dir, port, http, serverBody);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(nginxBinary(), "-p", dir.toString(), "-e", dir.resolve("logs/error.log").toString(),
                "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("logs/console.log").toFile()).start();
        Nginx nginx = new Nginx(p, port, dir);
        nginx.awaitListening();
        return nginx;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path} (which starts with /). */
    public java.net.URI url(String path) {
        return java.net.URI.create("http://127.0.0.1:" + port + path);
    }

    /** nginx's process id (the master). */
    public long pid() {
        return process.pid();
    }

    public Path dir() {
        return dir;
    }

    /** The error log so far, for assertion messages. */
    public String errorLog() {
        return read(dir.resolve("logs/error.log"));
    }

    private void awaitListening() throws Exception {
        try {
            awaitListening(process, port, dir.resolve("logs/error.log"));
        } catch (IllegalStateException e) {
            close();
            throw e;
        }
    }

    /** Waits until a server process accepts connections on 127.0.0.1:{@code port}. */
    public static void awaitListening(Process process, int port, Path errorLog) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + ":\n" + read(errorLog));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("the server did not listen on " + port + " in time:\n" + read(errorLog));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + ": " + e.getMessage() + ")";
        }
    }

    /** SIGTERM (nginx's fast shutdown) to the master by its process id, then SIGKILL if it lingers. */
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
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }

    static String nginxBinary() {
        for (String p : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")) {
            if (Files.isExecutable(Path.of(p))) return p;
        }
        return "nginx";
    }

    /** Same as {@link Ports#free()}. */
    public static int freePort() throws IOException {
        return Ports.free();
    }

    /** Same as {@link Packages#ensure(String...)}. */
    public static void ensurePackages(String... packages) throws Exception {
        Packages.ensure(packages);
    }
}
