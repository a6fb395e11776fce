package org.apogee.server.fastcgi;

import java.net.InetSocketAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.server.tck.Nginx;
import org.apogee.server.tck.ServerUnderTest;
import org.apogee.server.tck.WsapiBehaviourSuite;
import org.junit.jupiter.api.Test;

/**
 * The behaviour suite through a real nginx in front of the FastCGI server, configured as
 * docs/deploy-nginx.md shows: every request goes to Apogee; a folder target gets nginx's
 * {@code fastcgi_split_path_info}, an app file gets the whole path.
 */
class NginxFastCgiBehaviourTest extends WsapiBehaviourSuite {

    @Override
    protected ServerUnderTest server() {
        return config -> {
            FastCgiServer fcgi = FastCgiServer.start(new WsapiHost(config), new InetSocketAddress("127.0.0.1", 0));
            Nginx nginx;
            try {
                nginx = Nginx.start(serverBlock(config), upstream(fcgi.port()));
            } catch (Exception e) {
                fcgi.close();
                throw e;
            }
            return new ServerUnderTest.Running() {
                @Override public URI base() { return URI.create("http://127.0.0.1:" + nginx.port() + "/"); }
                @Override public int port() { return nginx.port(); }
                @Override public void close() {
                    nginx.close();
                    fcgi.close();
                }
            };
        };
    }

    /** An app file mounted under a prefix: nginx splits at the prefix (docs/deploy-nginx.md). */
    @Test
    void anAppMountedUnderAPrefixGetsItAsScriptName() throws Exception {
        HostConfig config = config(docRoot().resolve("dir/split.lua"));
        try (FastCgiServer fcgi = FastCgiServer.start(new WsapiHost(config), new InetSocketAddress("127.0.0.1", 0));
             Nginx nginx = Nginx.start("""
                     location /shop/ {
                       fastcgi_split_path_info ^(/shop)(/.*)$;
                       include fastcgi_params;
                       fastcgi_param PATH_INFO $fastcgi_path_info;
                       fastcgi_pass apogee;
                       fastcgi_keep_conn on;
                     }
                     """, upstream(fcgi.port()))) {
            HttpClient client = HttpClient.newHttpClient();
            String body = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginx.port() + "/shop/items/3")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertEquals("SCRIPT_NAME=/shop\nPATH_INFO=/items/3\n", body);
        }
    }

    static String upstream(int port) {
        return "upstream apogee { server 127.0.0.1:" + port + "; keepalive 16; }";
    }

    /** Streaming both ways (the suite checks it) needs nginx's buffering off. */
    static String serverBlock(HostConfig config) {
        boolean folder = Files.isDirectory(config.target());
        Path root = folder ? config.target() : config.target().getParent();
        String split = folder ? """
                fastcgi_split_path_info ^(.+?\\.(?:lua|ws))(/.*)$;
                fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                fastcgi_param PATH_INFO $fastcgi_path_info;
                """ : "";
        return """
                root %s;
                client_max_body_size 0;
                location / {
                  include fastcgi_params;
                  %s
                  fastcgi_pass apogee;
                  fastcgi_keep_conn on;
                  fastcgi_request_buffering off;
                  fastcgi_buffering off;
                }
                """.formatted(root, split);
    }
}
