package org.apogee.server.cgi;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apogee.server.tck.ApogeeProcess;
import org.apogee.server.tck.DeploymentChecks;
import org.apogee.server.tck.Nginx;
import org.apogee.server.tck.Packages;
import org.apogee.server.tck.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apps run as CGI programs with {@code #!/usr/bin/env apogee-cgi} behind real CGI hosts (Debian's
 * packages, configured as docs/deploy-nginx.md shows): fcgiwrap behind nginx, and lighttpd's
 * mod_cgi. One JVM per request, so fewer requests at once than through FastCGI.
 */
class CgiHostsIT {

    private static Process start(Path log, String... command) throws Exception {
        return new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Stops a server, then by their ids the workers it forked: fcgiwrap's outlive their parent, and
     * the parent replaces a worker that ends while it runs.
     */
    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> workers = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        workers.forEach(ProcessHandle::destroy);
        for (ProcessHandle w : workers) {
            try {
                w.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                w.destroyForcibly();
            }
        }
    }

    @Test
    void behindFcgiwrapAndNginx(@TempDir Path dir) throws Exception {
        Packages.ensure("nginx", "fcgiwrap");
        Path www = Files.createDirectories(dir.resolve("www"));
        DeploymentChecks.copyApps(www.resolve("cgi-bin"));
        Path socket = dir.resolve("fcgiwrap.sock");
        Process fcgiwrap = start(dir.resolve("fcgiwrap.log"), "/usr/sbin/fcgiwrap", "-c", "4", "-s", "unix:" + socket);
        try {
            for (int i = 0; i < 250 && !Files.exists(socket); i++) Thread.sleep(20);
            // fcgiwrap gives a CGI program only the variables nginx sends: PATH says where apogee-cgi is
            String server = """
                    root %s;
                    client_max_body_size 64m;
                    location /cgi-bin/ {
                      fastcgi_split_path_info ^(.+?\\.lua)(/.*)$;
                      try_files $fastcgi_script_name =404;
                      set $path_info $fastcgi_path_info;
                      include fastcgi_params;
                      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                      fastcgi_param PATH_INFO $path_info;
                      fastcgi_param PATH %s:/usr/local/bin:/usr/bin:/bin;
                      fastcgi_pass unix:%s;
                    }
                    """.formatted(www, ApogeeProcess.home(), socket);
            try (Nginx nginx = Nginx.start(server, "")) {
                DeploymentChecks checks = new DeploymentChecks(URI.create("http://127.0.0.1:" + nginx.port() + "/cgi-bin/"));
                checks.envAndPostBody();
                checks.fileUpload();
                // fcgiwrap keeps a CGI program's output until 8 KiB or the end (gnosek/fcgiwrap#36)
                checks.streaming(false);
                checks.errorsAndMissingApps();
                checks.concurrentRequests(12);
            }
        } finally {
            stop(fcgiwrap);
        }
    }

    @Test
    void behindLighttpd(@TempDir Path dir) throws Exception {
        Packages.ensure("lighttpd");
        Path www = Files.createDirectories(dir.resolve("www"));
        DeploymentChecks.copyApps(www.resolve("cgi-bin"));
        int port = Ports.free();
        Path conf = dir.resolve("lighttpd.conf");
        Files.writeString(conf, """
                server.modules = ("mod_setenv", "mod_cgi")
                server.bind = "127.0.0.1"
                server.port = %d
                server.document-root = "%s"
                server.errorlog = "%s/error.log"
                server.stream-response-body = 2
                $HTTP["url"] =~ "^/cgi-bin/" {
                  cgi.assign = (".lua" => "")
                  setenv.add-environment = ("PATH" => "%s:/usr/local/bin:/usr/bin:/bin")
                }
                """.formatted(port, www, dir, ApogeeProcess.home()));
        Process lighttpd = start(dir.resolve("console.log"), "/usr/sbin/lighttpd", "-D", "-f", conf.toString());
        try {
            Nginx.awaitListening(lighttpd, port, dir.resolve("error.log"));
            DeploymentChecks checks = new DeploymentChecks(URI.create("http://127.0.0.1:" + port + "/cgi-bin/"));
            checks.envAndPostBody();
            checks.fileUpload();
            checks.streaming();
            checks.errorsAndMissingApps();
            checks.concurrentRequests(12);
        } finally {
            stop(lighttpd);
        }
    }
}
