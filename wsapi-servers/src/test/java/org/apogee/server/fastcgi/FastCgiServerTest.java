package org.apogee.server.fastcgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FastCGI server spoken to directly, record by record: what nginx sends, and what a broken or
 * hostile front end might. Whatever arrives, a connection gets an answer or is closed, at once,
 * and the others go on.
 */
class FastCgiServerTest {

    private FastCgiServer server;

    @BeforeEach
    void start() throws Exception {
        server = FastCgiServer.start(host(), new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Path docRoot() throws Exception {
        return Path.of(FastCgiServerTest.class.getResource("/tck/www").toURI());
    }

    private static WsapiHost host() throws Exception {
        return new WsapiHost(HostConfig.of(docRoot()).withInstances(2).withAcquireTimeout(Duration.ofSeconds(5)));
    }

    private RawFastCgi connect() throws IOException {
        return new RawFastCgi(server.address());
    }

    private static Map<String, String> get(String script, String pathInfo) {
        return RawFastCgi.nginxParams("GET", script, pathInfo, "");
    }

    @Test
    void answersWhatNginxSends() throws Exception {
        Map<String, String> p = RawFastCgi.nginxParams("POST", "/env.lua", "/a b/100%", "x=1");
        p.put("CONTENT_LENGTH", "5");
        p.put("SCRIPT_FILENAME", docRoot().resolve("env.lua").toString());
        p.put("DOCUMENT_ROOT", "/srv/www");
        try (RawFastCgi c = connect()) {
            RawFastCgi.Response r = c.send(RawFastCgi.request(1, false, p, "hello".getBytes())).read(1, 10_000);
            assertEquals("200 OK", r.status());
            assertTrue(r.body().contains("SCRIPT_NAME=/env.lua\n"), r.body());
            assertTrue(r.body().contains("PATH_INFO=/a b/100%\n"), r.body());
            assertTrue(r.body().contains("REQUEST_URI=/env.lua/a b/100%?x=1\n"), r.body());
            assertTrue(r.body().contains("DOCUMENT_ROOT=/srv/www\n"), r.body());
            assertTrue(r.body().contains("SERVER_NAME=example.test\n"), r.body());
            assertTrue(r.body().contains("CONTENT_LENGTH=5\n"), r.body());
            assertTrue(r.body().contains("BODY=hello\n"), r.body());
            assertEquals(0, r.appStatus());
            assertTrue(c.closedWithin(5_000), "without FCGI_KEEP_CONN the server closes the connection");
        }
    }

    @Test
    void keepsTheConnectionWhenAsked() throws Exception {
        try (RawFastCgi c = connect()) {
            for (int id = 1; id <= 3; id++) {
                RawFastCgi.Response r = c.send(RawFastCgi.request(id, true, get("/dir/split.lua", "/n" + id), new byte[0])).read(id, 10_000);
                assertTrue(r.body().contains("PATH_INFO=/n" + id), r.body());
            }
            assertFalse(c.closedWithin(300));
        }
    }

    @Test
    void recordsCutAnywhereAreReassembled() throws Exception {
        byte[] all = RawFastCgi.request(1, false, get("/dir/split.lua", "/cut"), "body".getBytes());
        try (RawFastCgi c = connect()) {
            // first at record boundaries (BEGIN_REQUEST alone), then mid-record, one byte at a time
            c.send(Arrays.copyOfRange(all, 0, 16));
            Thread.sleep(50);
            for (int i = 16; i < all.length; i++) {
                c.send(new byte[] {all[i]});
                if (i % 37 == 0) Thread.sleep(5);
            }
            assertTrue(c.read(1, 10_000).body().contains("PATH_INFO=/cut"));
        }
    }

    @Test
    void requestsWithoutTheUsualParamsGetAnAnswer() throws Exception {
        Map<String, String> noDocumentUri = get("/dir/split.lua", "/x");
        noDocumentUri.remove("DOCUMENT_URI");
        Map<String, String> noMethod = get("/dir/split.lua", "/x");
        noMethod.remove("REQUEST_METHOD");
        Map<String, String> nothing = new java.util.HashMap<>();
        Map<String, String> noProtocol = get("/dir/split.lua", "/x");
        noProtocol.remove("SERVER_PROTOCOL");
        noProtocol.remove("REQUEST_URI");
        for (var c : Map.of(noDocumentUri, "200 OK", noMethod, "400 Bad Request", nothing, "400 Bad Request",
                noProtocol, "200 OK").entrySet()) {
            try (RawFastCgi client = connect()) {
                RawFastCgi.Response r = client.send(RawFastCgi.request(1, false, c.getKey(), new byte[0])).read(1, 10_000);
                assertEquals(c.getValue(), r.status(), c.getKey().toString());
            }
        }
    }

    @Test
    void malformedRecordsCloseTheirConnectionOnly() throws Exception {
        byte[] begin = RawFastCgi.begin(1, true);
        byte[][] bad = {
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                RawFastCgi.record(RawFastCgi.GET_VALUES, 0, new byte[0]),
                RawFastCgi.record(RawFastCgi.PARAMS, 7, new byte[0]),
                concat(begin, RawFastCgi.begin(2, true)),
                concat(begin, RawFastCgi.record(RawFastCgi.STDIN, 9, "x".getBytes())),
                RawFastCgi.record(RawFastCgi.BEGIN_REQUEST, 1, new byte[] {0, 2, 0, 0, 0, 0, 0, 0}),
                concat(begin, RawFastCgi.record(42, 1, new byte[3])),
                concat(begin, RawFastCgi.record(RawFastCgi.STDIN, 1, "early".getBytes())),
                concat(begin, manyParams(1, 40)),
        };
        try (RawFastCgi bystander = connect()) {
            bystander.send(RawFastCgi.begin(5, true));
            for (byte[] b : bad) {
                try (RawFastCgi c = connect()) {
                    try {
                        c.send(b);
                    } catch (IOException closedWhileSending) {
                        continue; // the server closed it before it had all
                    }
                    assertTrue(c.closedWithin(5_000), "closed after " + new String(b, 0, Math.min(b.length, 200), StandardCharsets.ISO_8859_1));
                }
            }
            // the connection in the middle of its request was not affected
            Map<String, String> p = get("/dir/split.lua", "/still");
            bystander.send(concat(RawFastCgi.params(5, p), RawFastCgi.record(RawFastCgi.PARAMS, 5, new byte[0]),
                    RawFastCgi.record(RawFastCgi.STDIN, 5, new byte[0])));
            assertTrue(bystander.read(5, 10_000).body().contains("PATH_INFO=/still"));
        }
    }

    @Test
    void aStalledFrontEndHoldsOnlyItsOwnConnectionAndOnlyForTheIdleTimeout() throws Exception {
        try (FastCgiServer shortIdle = FastCgiServer.start(host(), new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(1));
             RawFastCgi stalled = new RawFastCgi(shortIdle.address());
             RawFastCgi other = new RawFastCgi(shortIdle.address())) {
            byte[] all = RawFastCgi.request(1, false, get("/dir/split.lua", "/x"), new byte[0]);
            stalled.send(Arrays.copyOf(all, 30));
            RawFastCgi.Response r = other.send(RawFastCgi.request(1, false, get("/dir/split.lua", "/other"), new byte[0])).read(1, 10_000);
            assertTrue(r.body().contains("PATH_INFO=/other"));
            assertTrue(stalled.closedWithin(5_000), "closed after the idle timeout");
        }
    }

    @Test
    void listensOnAUnixSocketAndReplacesAStaleOne(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("apogee.sock");
        // a socket file left behind by a killed server
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        SocketAddress address = UnixDomainSocketAddress.of(socket);
        try (FastCgiServer unix = FastCgiServer.start(host(), address)) {
            assertEquals(-1, unix.port());
            try (RawFastCgi c = new RawFastCgi(address)) {
                assertTrue(c.send(RawFastCgi.request(1, false, get("/dir/split.lua", "/unix"), new byte[0]))
                        .read(1, 10_000).body().contains("PATH_INFO=/unix"));
            }
            IOException taken = assertThrows(IOException.class, () -> FastCgiServer.start(host(), address));
            assertTrue(taken.getMessage().contains("another server"), taken.getMessage());
        }
        assertFalse(Files.exists(socket), "removed on stop");
        Files.writeString(socket, "not a socket");
        assertThrows(IOException.class, () -> FastCgiServer.start(host(), address));
    }

    /** {@code records} PARAMS records of 30 KiB each, never ended. */
    private static byte[] manyParams(int id, int records) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < records; i++) o.writeBytes(RawFastCgi.params(id, Map.of("HTTP_X_" + i, "x".repeat(30_000))));
        return o.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }
}
