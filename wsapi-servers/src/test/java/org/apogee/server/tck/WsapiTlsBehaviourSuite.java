package org.apogee.server.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.server.HttpsOptions;
import org.apogee.server.RunningServer;
import org.apogee.server.tls.TestCertificates;
import org.apogee.server.tls.TlsConfig;
import org.apogee.server.tls.TlsConfigException;
import org.junit.jupiter.api.Test;

/**
 * The whole behaviour suite again, over TLS: the suite's client negotiates HTTP/2 by ALPN and its
 * raw-socket cases speak HTTP/1.1 over TLS. Then what only TLS has: HTTP/2 streaming, old protocol
 * versions refused, protocol restriction, the plain port's redirect, and start-up refused for each
 * bad certificate. A launcher's test extends this and says how to start its server with HTTPS.
 */
public abstract class WsapiTlsBehaviourSuite extends WsapiBehaviourSuite {

    protected static final TestCertificates.Files CERTS = TestCertificates.files();

    /** Starts the launcher under test on 127.0.0.1, plain port 0, with these HTTPS options. */
    protected abstract RunningServer start(WsapiHost host, HttpsOptions https) throws Exception;

    /** HTTPS with the EC test certificate (quicker handshakes than RSA), HTTP/2 on, no plain port. */
    protected static HttpsOptions https() {
        return HttpsOptions.of(0, TlsConfig.pem(CERTS.ecCert(), CERTS.ecKey()));
    }

    @Override
    protected ServerUnderTest server() {
        return config -> overTls(start(new WsapiHost(config), https()));
    }

    @Override
    protected HttpClient httpClient() {
        return client(HttpClient.Version.HTTP_2, null);
    }

    @Override
    protected String expectedProtocol() {
        return "HTTP/2.0";
    }

    private static HttpClient client(HttpClient.Version version, String protocol) {
        HttpClient.Builder b = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5))
                .sslContext(TestCertificates.clientContext());
        if (protocol != null) b.sslParameters(new SSLParameters(null, new String[] {protocol}));
        return b.build();
    }

    /** The suite's view of a server on its TLS port; raw connections are TLS sockets. */
    private static ServerUnderTest.Running overTls(RunningServer server) {
        return new ServerUnderTest.Running() {
            @Override public URI base() { return URI.create("https://127.0.0.1:" + server.tlsPort() + "/"); }
            @Override public int port() { return server.tlsPort(); }
            @Override public Socket connect() throws IOException {
                SSLSocket s = (SSLSocket) TestCertificates.clientContext().getSocketFactory().createSocket("127.0.0.1", server.tlsPort());
                s.startHandshake();
                return s;
            }
            @Override public void close() { server.close(); }
        };
    }

    private static HostConfig defaultConfig() {
        return config(docRoot());
    }

    private static Map<String, String> env(String body) {
        Map<String, String> m = new HashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void http2IsNegotiatedAndHttp11StillServed() throws Exception {
        try (RunningServer s = start(new WsapiHost(defaultConfig()), https())) {
            String url = "https://127.0.0.1:" + s.tlsPort() + "/env.lua/x?y=1";
            HttpResponse<String> h2 = get(client(HttpClient.Version.HTTP_2, null), url);
            assertEquals(HttpClient.Version.HTTP_2, h2.version());
            Map<String, String> env = env(h2.body());
            assertEquals("on", env.get("HTTPS"));
            assertEquals("HTTP/2.0", env.get("SERVER_PROTOCOL"));
            assertEquals(String.valueOf(s.tlsPort()), env.get("SERVER_PORT"));
            assertEquals("127.0.0.1:" + s.tlsPort(), env.get("HTTP_HOST"));
            assertEquals("/x", env.get("PATH_INFO"));
            HttpResponse<String> h1 = get(client(HttpClient.Version.HTTP_1_1, null), url);
            assertEquals(HttpClient.Version.HTTP_1_1, h1.version());
            assertEquals("HTTP/1.1", env(h1.body()).get("SERVER_PROTOCOL"));
            assertEquals("on", env(h1.body()).get("HTTPS"));
        }
    }

    @Test
    void http2CanBeTurnedOff() throws Exception {
        try (RunningServer s = start(new WsapiHost(defaultConfig()), https().withHttp2(false))) {
            HttpResponse<String> r = get(client(HttpClient.Version.HTTP_2, null), "https://127.0.0.1:" + s.tlsPort() + "/env.lua");
            assertEquals(HttpClient.Version.HTTP_1_1, r.version());
            assertEquals("on", env(r.body()).get("HTTPS"));
        }
    }

    @Test
    void http2StreamsEachChunkAsItComes() throws Exception {
        // the JDK client hands out a response only once its request body is sent, so this app paces itself
        HttpClient client = client(HttpClient.Version.HTTP_2, null);
        assertEquals("first\nsecond\n", get(client, base() + "slow.lua?0").body(), "warm-up");
        HttpResponse<InputStream> r = client.send(
                HttpRequest.newBuilder(URI.create(base() + "slow.lua?0.8")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        try (InputStream in = r.body()) {
            assertEquals("first\n", new String(in.readNBytes(6), StandardCharsets.UTF_8));
            long firstAt = System.nanoTime();
            assertEquals("second\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            long gapMillis = (System.nanoTime() - firstAt) / 1_000_000;
            assertTrue(gapMillis >= 300, "the first chunk arrived " + gapMillis + " ms before the second, not with it");
        }
    }

    private String base() {
        return running().base().toString();
    }

    @Test
    void tls10And11ClientsAreRefused() throws Exception {
        int port = running().port();
        assertEquals(0x16, serverHelloOrAlert(port, 0x0303), "control: the hand-made TLS 1.2 hello gets a ServerHello");
        for (int version : List.of(0x0301, 0x0302)) {
            int answer = serverHelloOrAlert(port, version);
            assertNotEquals(0x16, answer, "TLS 1." + (version - 0x0301) + " must not get a ServerHello");
            assertTrue(answer == 0x15 || answer == -1, "an alert or a closed connection, got " + answer);
        }
    }

    @Test
    void protocolsCanBeRestrictedToTls13() throws Exception {
        HttpsOptions only13 = HttpsOptions.of(0, https().tls().withProtocols(List.of("TLSv1.3")));
        try (RunningServer s = start(new WsapiHost(defaultConfig()), only13)) {
            String url = "https://127.0.0.1:" + s.tlsPort() + "/env.lua";
            assertEquals(200, get(client(HttpClient.Version.HTTP_1_1, "TLSv1.3"), url).statusCode());
            assertThrows(IOException.class, () -> get(client(HttpClient.Version.HTTP_1_1, "TLSv1.2"), url));
            assertNotEquals(0x16, serverHelloOrAlert(s.tlsPort(), 0x0303), "a TLS 1.2 hello is refused");
        }
    }

    @Test
    void thePlainPortRedirectsToHttps() throws Exception {
        try (RunningServer s = start(new WsapiHost(defaultConfig()), https().withPlainHttp(HttpsOptions.PlainHttp.REDIRECT))) {
            assertNotEquals(s.port(), s.tlsPort());
            String raw = RawHttp.exchange(s.port(), "GET /env.lua/x?y=1 HTTP/1.1\r\nHost: example.org:8080\r\nConnection: close\r\n\r\n");
            assertTrue(raw.startsWith("HTTP/1.1 301"), raw);
            assertTrue(raw.contains("\r\nLocation: https://example.org:" + s.tlsPort() + "/env.lua/x?y=1\r\n"), raw);
            raw = RawHttp.exchange(s.port(), "POST /env.lua HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
            assertTrue(raw.startsWith("HTTP/1.1 308"), raw);
            assertTrue(raw.contains("\r\nLocation: https://127.0.0.1:" + s.tlsPort() + "/env.lua\r\n"), raw);
            raw = RawHttp.exchange(s.port(), "GET /static/ HTTP/1.0\r\n\r\n");
            assertTrue(raw.contains("\r\nLocation: https://127.0.0.1:" + s.tlsPort() + "/static/\r\n"), "no Host: the address connected to; " + raw);
            HttpClient follow = HttpClient.newBuilder().sslContext(TestCertificates.clientContext())
                    .followRedirects(HttpClient.Redirect.ALWAYS).build();
            HttpResponse<String> r = get(follow, "http://127.0.0.1:" + s.port() + "/env.lua");
            assertEquals(200, r.statusCode());
            assertEquals("on", env(r.body()).get("HTTPS"));
        }
    }

    @Test
    void thePlainPortCanServeNextToHttps() throws Exception {
        try (RunningServer s = start(new WsapiHost(defaultConfig()), https().withPlainHttp(HttpsOptions.PlainHttp.SERVE))) {
            HttpClient client = client(HttpClient.Version.HTTP_1_1, null);
            Map<String, String> plain = env(get(client, "http://127.0.0.1:" + s.port() + "/env.lua").body());
            assertEquals("", plain.get("HTTPS"));
            assertEquals(String.valueOf(s.port()), plain.get("SERVER_PORT"));
            Map<String, String> secure = env(get(client, "https://127.0.0.1:" + s.tlsPort() + "/env.lua").body());
            assertEquals("on", secure.get("HTTPS"));
            assertEquals(String.valueOf(s.tlsPort()), secure.get("SERVER_PORT"));
        }
    }

    @Test
    void aPkcs12KeystoreAndAnEcChainServe() throws Exception {
        HttpsOptions p12 = HttpsOptions.of(0, TlsConfig.keyStore(CERTS.keyStore(), TestCertificates.PASSWORD));
        HttpsOptions chain = HttpsOptions.of(0, TlsConfig.pem(CERTS.chain(), CERTS.leafKey()));
        for (HttpsOptions o : List.of(p12, chain)) {
            try (RunningServer s = start(new WsapiHost(defaultConfig()), o)) {
                assertEquals(200, get(httpClient(), "https://127.0.0.1:" + s.tlsPort() + "/env.lua").statusCode(), o.tls().toString());
            }
        }
    }

    @Test
    void badCertificatesStopStartUp() {
        Path missing = CERTS.dir().resolve("missing.crt");
        Map<TlsConfig, String> cases = Map.of(
                TlsConfig.pem(missing, CERTS.key()), missing + ": not found",
                TlsConfig.keyStore(CERTS.keyStore(), "wrong"), CERTS.keyStore() + ": wrong password",
                TlsConfig.pem(CERTS.cert(), CERTS.otherKey()), CERTS.otherKey() + ": the key does not match the certificate in " + CERTS.cert(),
                TlsConfig.pem(CERTS.expiredCert(), CERTS.expiredKey()), CERTS.expiredCert() + ": the certificate expired on ");
        cases.forEach((tls, message) -> {
            TlsConfigException e = assertThrows(TlsConfigException.class,
                    () -> start(new WsapiHost(defaultConfig()), HttpsOptions.of(0, tls)).close());
            assertTrue(e.getMessage().contains(message), e.getMessage());
        });
    }

    /**
     * Sends a hand-made ClientHello offering at most {@code version} (0x0301 TLS 1.0 ... 0x0303 TLS 1.2)
     * and returns the type of the first record the server answers with: 0x16 handshake (ServerHello),
     * 0x15 alert, or -1 when it just closes. The JDK's own client cannot offer TLS 1.0/1.1 any more,
     * so the bytes are written by hand.
     */
    private static int serverHelloOrAlert(int port, int version) throws IOException {
        byte[] hello = clientHello(version);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(hello);
            out.flush();
            try {
                return s.getInputStream().read();
            } catch (IOException reset) {
                return -1;
            }
        }
    }

    private static byte[] clientHello(int version) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(version >> 8);
        body.write(version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // no session id
        int[] suites = {0xc02f, 0xc030, 0xc02b, 0xc02c, 0xc013, 0xc014, 0xc009, 0xc00a, 0x002f, 0x0035, 0x00ff};
        u16(body, suites.length * 2);
        for (int c : suites) u16(body, c);
        body.write(1); // compression methods: null only
        body.write(0);
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        extension(ext, 0x000a, new int[] {0x0004, 0x0017, 0x001d}); // supported_groups: secp256r1, x25519
        extension(ext, 0x000b, new int[] {}, 0x01, 0x00);           // ec_point_formats: uncompressed
        extension(ext, 0x000d, new int[] {0x0008, 0x0804, 0x0401, 0x0403, 0x0201}); // signature_algorithms
        extension(ext, 0x0017, new int[] {});                       // extended_master_secret
        u16(body, ext.size());
        body.writeBytes(ext.toByteArray());
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(0x16);
        record.write(0x03);
        record.write(0x01);
        u16(record, body.size() + 4);
        record.write(0x01); // ClientHello
        record.write(0);
        u16(record, body.size());
        record.writeBytes(body.toByteArray());
        return record.toByteArray();
    }

    private static void extension(ByteArrayOutputStream out, int type, int[] u16s, int... bytes) {
        u16(out, type);
        u16(out, u16s.length * 2 + bytes.length);
        for (int v : u16s) u16(out, v);
        for (int b : bytes) out.write(b);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v);
    }
}
