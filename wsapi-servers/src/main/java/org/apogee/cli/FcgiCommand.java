package org.apogee.cli;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apogee.core.AppProperties;
import org.apogee.core.AppProperties.Key;
import org.apogee.core.HostConfig;
import org.apogee.core.ShutdownHooks;
import org.apogee.core.WsapiHost;
import org.apogee.core.lua.LuaCoroutine;
import org.apogee.server.fastcgi.FastCgiServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code apogee fcgi}: a long-running FastCGI server for nginx's {@code fastcgi_pass} (see docs/deploy-nginx.md). */
@Command(name = "fcgi", mixinStandardHelpOptions = true,
        description = {"Serves an app file or a folder over FastCGI, for a web server in front (nginx fastcgi_pass).",
                "The web server's SCRIPT_NAME/PATH_INFO split (fastcgi_split_path_info) and DOCUMENT_ROOT are taken as sent."})
public final class FcgiCommand implements Callable<Integer> {

    @Option(names = "--listen", defaultValue = "127.0.0.1:9000", paramLabel = "ADDRESS",
            description = "HOST:PORT or unix:/path/to/socket (default: ${DEFAULT-VALUE}; port 0 picks a free one).")
    String listen;

    @Mixin
    HostOptions options;

    @Option(names = "--shutdown-timeout", defaultValue = "10", description = "Seconds to let running requests finish on SIGTERM (default: ${DEFAULT-VALUE}).")
    double shutdownTimeout;

    @Parameters(paramLabel = "TARGET", description = {"An app file (.lua or .ws) or a document root folder (the web server's root);",
            "or an application folder: a folder holding apogee.properties, which gives the target and the defaults of these options."})
    Path target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AppFolder.Applied folder = AppProperties.isAppFolder(target) ? AppFolder.apply(spec.commandLine(), target) : null;
        if (folder != null) {
            target = folder.target();
            notes(folder);
        }
        if (!Files.exists(target)) throw new CommandLine.ParameterException(spec.commandLine(), "TARGET not found: " + target);
        SocketAddress address;
        try {
            address = address(listen, spec.commandLine());
        } catch (CommandLine.ParameterException e) {
            if (folder == null || !folder.properties().has(Key.LISTEN) || spec.commandLine().getParseResult().hasMatchedOption("--listen")) throw e;
            throw new CommandLine.ParameterException(spec.commandLine(), folder.properties().source() + ": listen: " + e.getMessage());
        }
        HostConfig config = options.config(target, spec.commandLine());
        WsapiHost host = new WsapiHost(config);
        FastCgiServer server = FastCgiServer.start(host, address);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(Duration.ofMillis((long) (shutdownTimeout * 1000)));
            host.close();
            ShutdownHooks.runAll();
            stopped.countDown();
        }, "apogee-shutdown"));
        System.out.println("Apogee FastCGI serving " + config.target() + " on " + shown(server.address())
                + " (" + config.instances() + " instances per app, coroutines: " + LuaCoroutine.engine() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** One line on stderr for each kind of setting of the application folder that FastCGI has no use for. */
    private static void notes(AppFolder.Applied folder) {
        String file = folder.properties().source();
        List<String> websockets = folder.unused().stream().filter(k -> k == Key.LAPPS || k == Key.REDIS).map(Key::key).toList();
        if (!websockets.isEmpty()) {
            System.err.println("apogee fcgi: ignoring " + String.join(", ", websockets) + " in " + file + " (FastCGI carries no WebSockets)");
        }
        List<String> http = folder.unused().stream().filter(k -> k == Key.HOST || k == Key.PORT || k == Key.SERVER).map(Key::key).toList();
        if (!http.isEmpty()) {
            System.err.println("apogee fcgi: ignoring " + String.join(", ", http) + " in " + file
                    + " (settings of apogee serve; FastCGI listens on --listen, or listen= in the file)");
        }
    }

    /** {@code unix:/path}, {@code HOST:PORT}, {@code [IPv6]:PORT} or a bare port (on 127.0.0.1). */
    static SocketAddress address(String text, CommandLine cl) {
        if (text.startsWith("unix:")) {
            String path = text.substring(5);
            if (path.isEmpty()) throw new CommandLine.ParameterException(cl, "--listen unix: needs a socket path");
            return UnixDomainSocketAddress.of(Path.of(path).toAbsolutePath());
        }
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.isEmpty()) host = "127.0.0.1";
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, "--listen takes HOST:PORT or unix:/path (got '" + text + "')");
        }
        if (port < 0 || port > 65535) throw new CommandLine.ParameterException(cl, "--listen port must be between 0 and 65535");
        return new InetSocketAddress(host, port);
    }

    private static String shown(SocketAddress a) {
        if (a instanceof UnixDomainSocketAddress unix) return "unix:" + unix.getPath();
        InetSocketAddress inet = (InetSocketAddress) a;
        String host = inet.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
}
