package org.apogee.lapps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import io.undertow.Undertow;
import io.undertow.server.handlers.ResponseCodeHandler;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.apogee.lapps.json.Json;
import org.apogee.lapps.undertow.LappsUndertowHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Lua WebSocket clients (apogee.websocket and the cws preload) against Apogee itself, over ws:// and wss://. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LuaClientTest {

    private LappsHost host;
    private Undertow undertow;
    private int port, tlsPort;
    private Path dir;

    @BeforeAll
    void start() throws Exception {
        host = new TestHome("lapps.json").start();
        dir = Files.createTempDirectory("tls");
        SSLContext tls = selfSigned(dir);
        undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .addHttpsListener(0, "127.0.0.1", tls)
                .setHandler(new LappsUndertowHandler(host, ResponseCodeHandler.HANDLE_404))
                .build();
        undertow.start();
        port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        tlsPort = ((InetSocketAddress) undertow.getListenerInfo().get(1).getAddress()).getPort();
    }

    @AfterAll
    void stop() {
        if (undertow != null) undertow.stop();
        if (host != null) host.stop(Duration.ofSeconds(5));
    }

    /** A key pair for 127.0.0.1 made with keytool; its certificate is written to ca.pem. */
    private static SSLContext selfSigned(Path dir) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path ks = dir.resolve("server.p12");
        run(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit");
        run(keytool.toString(), "-exportcert", "-rfc", "-alias", "server", "-keystore", ks.toString(),
                "-storepass", "changeit", "-file", dir.resolve("ca.pem").toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + "\n" + out);
    }

    /** Runs a Lua script in a fresh state, with dir as working directory; returns what it printed. */
    private String lua(String script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LuaRuntime runtime = new LuaRuntime(LuaRuntime.Options.defaults().withWorkingDirectory(dir)
                .withStdout(new PrintStream(out, true, StandardCharsets.UTF_8)));
        LuaState state = runtime.newState();
        LuaState previous = state.enter();
        try {
            state.load(script, "script").call();
        } finally {
            LuaState.leave(previous);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static final String ECHO_SCRIPT = """
            local websocket = require "apogee.websocket"
            local ok, err = websocket.connect(URL, {
              on_connect = function(ws) ws:send("ping") ; ws:send("\\0\\1\\2", 2) end,
              on_message = function(ws, data, opcode)
                print("message", #data, opcode)
                if opcode == 2 then ws:close(1000, "done") end
              end,
              on_close = function(ws, code, reason) print("closed", code) end,
            }, OPTIONS)
            print("result", ok, err)
            """;

    private String echo(String url, String options) {
        return lua("URL = '" + url + "'\nOPTIONS = " + options + "\n" + ECHO_SCRIPT);
    }

    @Test
    void scriptClientTalksToTheServer() {
        String out = echo("ws://127.0.0.1:" + port + "/echo", "nil");
        assertEquals("message\t4\t1\nmessage\t3\t2\nclosed\t1000\nresult\ttrue\tnil\n", out);
    }

    @Test
    void scriptClientNegotiatesASubprotocol() {
        String out = lua("""
                local websocket = require "apogee.websocket"
                websocket.connect("ws://127.0.0.1:%d/chat", {
                  on_connect = function(ws) print("protocol", ws.protocol) end,
                  on_message = function(ws, data) print(data:match("^welcome") ~= nil) ws:close() end,
                }, { protocols = { "chat" } })
                """.formatted(port));
        assertEquals("protocol\tchat\ntrue\n", out);
    }

    @Test
    void tlsCertificatesAreVerifiedByDefault() {
        String url = "wss://127.0.0.1:" + tlsPort + "/echo";
        String refused = echo(url, "nil");
        assertTrue(refused.startsWith("result\tnil\tcannot connect to " + url), refused);
        assertEquals("message\t4\t1\nmessage\t3\t2\nclosed\t1000\nresult\ttrue\tnil\n", echo(url, "{ ca = 'ca.pem' }"));
        assertEquals("message\t4\t1\nmessage\t3\t2\nclosed\t1000\nresult\ttrue\tnil\n", echo(url, "{ insecure = true }"));
        String unreachable = echo("ws://127.0.0.1:1/echo", "{ timeout = 2 }");
        assertTrue(unreachable.startsWith("result\tnil\tcannot connect to ws://127.0.0.1:1/echo"), unreachable);
    }

    @Test
    void cwsFromAStandaloneService() throws Exception {
        host.startService("client_probe");
        try {
            host.queues().get("cws-config").add(Json.object("url", "ws://127.0.0.1:" + port + "/echo"));
            var results = host.queues().get("cws-results");
            assertEquals("open", event(results).get("event"));
            assertEquals("first/1", event(results).get("data"));
            assertEquals("second/2", event(results).get("data"));
        } finally {
            host.stopService("client_probe", Duration.ofSeconds(5));
        }
    }

    private static Json.JsonObject event(java.util.concurrent.BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.poll(10, TimeUnit.SECONDS);
        assertNotNull(o, "no event from client_probe");
        return (Json.JsonObject) o;
    }
}
