package org.apogee.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apogee.core.AppProperties;
import org.apogee.core.HostConfig;
import org.apogee.core.ShutdownHooks;
import org.apogee.core.WsapiHost;
import org.apogee.core.lua.ErrorText;
import org.apogee.core.lua.LuaCoroutine;
import org.apogee.core.lua.LuaExit;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecs;
import org.apogee.core.lua.LuaState;
import org.apogee.lapps.LappsHost;
import org.apogee.lapps.WsConfig;
import org.apogee.lapps.jetty.LappsJettyHandler;
import org.apogee.lapps.undertow.LappsUndertowHandler;
import org.apogee.server.HttpsOptions;
import org.apogee.server.RunningServer;
import org.apogee.server.jetty.JettyServer;
import org.apogee.server.tls.TlsConfig;
import org.apogee.server.tls.TlsConfigException;
import org.apogee.server.tls.TlsContext;
import org.apogee.server.undertow.UndertowServer;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code apogee} command. */
@Command(name = "apogee", mixinStandardHelpOptions = true, version = HostConfig.SERVER_SOFTWARE,
        description = "Runs Lua (WSAPI) web applications on the JVM.",
        subcommands = {Apogee.Serve.class, Apogee.Lua.class, Apogee.TestLua.class, FcgiCommand.class, CgiCommand.class,
                CommandLine.HelpCommand.class})
public final class Apogee {

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Apogee()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serves an app file at /, or a folder in document-root mode ",
                    "(/dir/app.lua/rest runs dir/app.lua with PATH_INFO=/rest; other files are static)."})
    static final class Serve implements Callable<Integer> {
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--server", defaultValue = "undertow", description = "HTTP server library: undertow or jetty (default: ${DEFAULT-VALUE}).")
        String server;

        @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
        int port;

        @Mixin
        HostOptions options;

        @Option(names = "--shutdown-timeout", defaultValue = "10", description = "Seconds to let running requests finish on SIGTERM (default: ${DEFAULT-VALUE}).")
        double shutdownTimeout;

        @Option(names = "--tls-cert", paramLabel = "FILE", description = {"Serve HTTPS with this PEM certificate chain (server "
                + "certificate first), or a PKCS#12 keystore. See docs/tls.md."})
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "FILE", description = {"The PEM private key of --tls-cert (PKCS#8, PKCS#1 or EC); "
                + "leave out for a keystore or a PEM file holding both."})
        Path tlsKey;

        @Option(names = "--tls-password", paramLabel = "PASS", description = {"Password of an encrypted key or of the keystore: "
                + "the password, env:VARIABLE or file:PATH."})
        String tlsPassword;

        @Option(names = "--tls-port", defaultValue = "8443", description = "HTTPS port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
        int tlsPort;

        @Option(names = "--tls-protocols", paramLabel = "LIST", defaultValue = "TLSv1.3,TLSv1.2",
                description = "TLS versions to accept: TLSv1.3, TLSv1.2 or both (default: ${DEFAULT-VALUE}).")
        String tlsProtocols;

        @Option(names = "--plain-http", paramLabel = "MODE", defaultValue = "off", description = {"With --tls-cert, what --port does: "
                + "off, redirect (to HTTPS) or serve (default: ${DEFAULT-VALUE})."})
        HttpsOptions.PlainHttp plainHttp;

        @Option(names = "--http2", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Offer HTTP/2 on the HTTPS port (by ALPN); --no-http2 for HTTP/1.1 only (default: on).")
        boolean http2;

        @Option(names = "--lapps", paramLabel = "FILE", description = "Also run the LAppS WebSocket services of this lapps.json on the same port.")
        Path lapps;

        @Option(names = "--redis", paramLabel = "URL", description = "Relay LAppS broadcasts through Redis (redis://host:port) to every node; overrides lapps.json.")
        String redis;

        @Parameters(paramLabel = "TARGET", arity = "0..1", description = {"An app file (.lua or .ws) or a document root folder (optional with --lapps);",
                "or an application folder: a folder holding apogee.properties, which gives the target and the defaults of these options."})
        Path target;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (target != null && AppProperties.isAppFolder(target)) target = AppFolder.apply(spec.commandLine(), target).target();
            if (target == null && lapps == null) throw new CommandLine.ParameterException(spec.commandLine(), "give an app TARGET, --lapps FILE, or both");
            if (target != null && !Files.exists(target)) throw new CommandLine.ParameterException(spec.commandLine(), "TARGET not found: " + target);
            if (lapps != null && !Files.isRegularFile(lapps)) throw new CommandLine.ParameterException(spec.commandLine(), "--lapps file not found: " + lapps);
            if (port < 0 || port > 65535) throw new CommandLine.ParameterException(spec.commandLine(), "--port must be between 0 and 65535");
            HostConfig config = target == null ? null : options.config(target, spec.commandLine());
            HttpsOptions https = httpsOptions();
            TlsContext tls;
            try {
                tls = https == null ? null : https.tls().load();
            } catch (TlsConfigException e) {
                System.err.println("apogee serve: " + e.getMessage());
                return 1;
            }
            LuaRuntime.Options lua = options.lua();
            WsapiHost host = config == null ? null : new WsapiHost(config);
            LappsHost services = lapps == null ? null : LappsCommand.start(spec.commandLine(), lapps, redis, lua);
            if (lapps != null && services == null) return 1;
            RunningServer server;
            try {
                server = switch (this.server) {
                    case "undertow" -> UndertowServer.start(host, this.host, port, https,
                            next -> services == null ? next : new LappsUndertowHandler(services, next));
                    case "jetty" -> JettyServer.start(host, this.host, port, https,
                            (jetty, next) -> services == null ? next : LappsJettyHandler.wrap(jetty, services, next));
                    default -> throw new CommandLine.ParameterException(spec.commandLine(),
                            "unknown --server '" + this.server + "' (choose: undertow, jetty)");
                };
            } catch (TlsConfigException e) {
                System.err.println("apogee serve: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Duration grace = Duration.ofMillis((long) (shutdownTimeout * 1000));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (services != null) services.stop(grace);
                server.stop(grace);
                if (host != null) host.close();
                ShutdownHooks.runAll();
                stopped.countDown();
            }, "apogee-shutdown"));
            String shown = this.host.contains(":") ? "[" + this.host + "]" : this.host;
            String url = https == null ? "http://" + shown + ":" + server.port() + "/" : "https://" + shown + ":" + server.tlsPort() + "/";
            String what = config != null ? config.target().toString() : "LAppS services";
            System.out.println("Apogee serving " + what + " on " + url
                    + (config != null ? " (" + config.instances() + " instances per app, coroutines: " + LuaCoroutine.engine() + ")" : ""));
            if (services != null) {
                String ws = https == null ? "ws://" + shown + ":" + server.port() : "wss://" + shown + ":" + server.tlsPort();
                System.out.println("LAppS services of " + lapps + " on " + ws + ": " + services.summary());
            }
            if (https != null) {
                System.out.println("TLS: " + tls.describe() + (https.http2() ? ", HTTP/2 and HTTP/1.1" : ", HTTP/1.1"));
                if (https.plainHttp() != HttpsOptions.PlainHttp.OFF) {
                    System.out.println("plain HTTP on http://" + shown + ":" + server.port() + "/ "
                            + (https.plainHttp() == HttpsOptions.PlainHttp.REDIRECT ? "redirects to HTTPS" : "serves the apps too"));
                }
            }
            System.out.flush();
            stopped.await();
            return 0;
        }

        /** The HTTPS settings, or null without --tls-cert. */
        private HttpsOptions httpsOptions() {
            CommandLine.ParseResult given = spec.commandLine().getParseResult();
            if (tlsCert == null && lapps != null) {
                // LAppS's ws.json beside lapps.json may ask for TLS: its certificate serves HTTPS and WSS
                WsConfig ws;
                try {
                    ws = WsConfig.besides(lapps).orElse(null);
                } catch (java.io.IOException | IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
                if (ws != null && ws.tls()) {
                    int port = given.hasMatchedOption("--tls-port") || ws.port() == null ? tlsPort : ws.port();
                    return new HttpsOptions(port, TlsConfig.lapps(ws.cert(), ws.key(), ws.tlsServerVersion()), plainHttp, http2);
                }
            }
            if (tlsCert == null) {
                for (String o : List.of("--tls-key", "--tls-password", "--tls-port", "--tls-protocols", "--plain-http", "--http2")) {
                    if (given.hasMatchedOption(o)) throw new CommandLine.ParameterException(spec.commandLine(), o + " needs --tls-cert");
                }
                return null;
            }
            if (tlsPort < 0 || tlsPort > 65535) throw new CommandLine.ParameterException(spec.commandLine(), "--tls-port must be between 0 and 65535");
            if (given.hasMatchedOption("--port") && plainHttp == HttpsOptions.PlainHttp.OFF) {
                throw new CommandLine.ParameterException(spec.commandLine(), "with --tls-cert, HTTPS listens on --tls-port;"
                        + " --port needs --plain-http redirect or serve");
            }
            List<String> protocols;
            try {
                protocols = TlsConfig.parseProtocols(tlsProtocols);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tls-protocols: " + e.getMessage());
            }
            TlsConfig tls = new TlsConfig(tlsCert, tlsKey, password(), protocols);
            return new HttpsOptions(tlsPort, tls, plainHttp, http2);
        }

        /** --tls-password as given, or read from env:VARIABLE or file:PATH (its first line). */
        private String password() {
            if (tlsPassword == null) return null;
            if (tlsPassword.startsWith("env:")) {
                String v = System.getenv(tlsPassword.substring(4));
                if (v == null) throw new CommandLine.ParameterException(spec.commandLine(), "--tls-password: environment variable "
                        + tlsPassword.substring(4) + " is not set");
                return v;
            }
            if (tlsPassword.startsWith("file:")) {
                Path file = Path.of(tlsPassword.substring(5));
                try {
                    return Files.readAllLines(file).stream().findFirst().orElse("");
                } catch (IOException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--tls-password: cannot read " + file + " (" + e + ")");
                }
            }
            return tlsPassword.startsWith("pass:") ? tlsPassword.substring(5) : tlsPassword;
        }
    }

    @Command(name = "lua", mixinStandardHelpOptions = true,
            description = "Runs a Lua script with Apogee's runtime and libraries, like the lua interpreter.")
    static final class Lua implements Callable<Integer> {
        @Option(names = "--allow-java", description = "Give the script the luajava library.")
        boolean allowJava;

        @Parameters(index = "0", paramLabel = "FILE", description = "The script.")
        Path file;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments, in arg[1..] and ...")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.fromProcess(null).withAllowJava(allowJava));
            return run(runtime, file.toString(), args);
        }
    }

    @Command(name = "test-lua", mixinStandardHelpOptions = true,
            description = "Runs the busted-style Lua specs (*_spec.lua) under DIR; exits 1 when one fails.")
    static final class TestLua implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Folder searched for *_spec.lua files (or one spec file).")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!Files.exists(dir)) throw new CommandLine.ParameterException(spec.commandLine(), "DIR not found: " + dir);
            return LuaSpecs.runAll(dir, System.out) == 0 ? 0 : 1;
        }
    }

    /** Runs a script as the lua interpreter does; returns the exit status. */
    static int run(LuaRuntime runtime, String file, List<String> args) {
        LuaState state = runtime.newState();
        LuaState previous = state.enter();
        try {
            LuaTable arg = new LuaTable();
            arg.set(0, LuaValue.valueOf(file));
            arg.set(-1, LuaValue.valueOf("apogee lua"));
            LuaValue[] values = new LuaValue[args.size()];
            for (int i = 0; i < args.size(); i++) {
                values[i] = LuaValue.valueOf(args.get(i));
                arg.set(i + 1, values[i]);
            }
            state.set("arg", arg);
            Varargs loaded = state.baselib.loadFile(file, "bt", state);
            if (loaded.arg1().isnil()) {
                System.err.println("apogee lua: " + loaded.arg(2).tojstring());
                return 1;
            }
            loaded.arg1().invoke(LuaValue.varargsOf(values));
            return 0;
        } catch (LuaExit exit) {
            return exit.status();
        } catch (LuaError e) {
            System.err.println("apogee lua: " + ErrorText.of(e));
            return 1;
        } catch (StackOverflowError e) {
            System.err.println("apogee lua: stack overflow");
            return 1;
        } finally {
            state.runEndActions(); // temporary upload files and the like
            state.STDOUT.flush();
            LuaState.leave(previous);
        }
    }
}
