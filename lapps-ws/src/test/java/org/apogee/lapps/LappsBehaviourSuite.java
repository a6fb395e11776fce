package org.apogee.lapps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apogee.lapps.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a LAppS deployment does over real sockets, whatever server runs it: each server's glue
 * runs this suite through its own {@link ServerFixture}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LappsBehaviourSuite {

    protected abstract ServerFixture fixture();

    private TestHome home;
    private LappsHost host;
    private ServerFixture server;
    private int port;

    @BeforeAll
    void startServer() throws Exception {
        home = new TestHome("lapps.json");
        host = home.start();
        server = fixture();
        port = server.start(host);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) server.close();
        if (host != null) host.stop(java.time.Duration.ofSeconds(5));
    }

    private URI uri(String target) {
        return URI.create("ws://127.0.0.1:" + port + target);
    }

    private TestClient connect(String target, String... subprotocols) throws Exception {
        return TestClient.connect(uri(target), subprotocols);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Json.JsonObject request(String method, Object... params) {
        return TestClient.request(method, params);
    }

    private LinkedBlockingQueue<Object> events() {
        return host.queues().get("probe-events");
    }

    /** The next probe event of this kind for this handler, skipping others. */
    private Json.JsonObject awaitEvent(String event, long handler) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Object e = events().poll(100, TimeUnit.MILLISECONDS);
            if (e instanceof Json.JsonObject o && event.equals(o.get("event")) && Json.toDouble(o.get("handler")) == handler) return o;
        }
        return null;
    }

    // ---- RAW ----

    @Test
    void rawEchoOfTextAndBinary() throws Exception {
        try (TestClient c = connect("/echo")) {
            c.text("hello, wörld");
            TestClient.Message m = c.next();
            assertTrue(m.text());
            assertEquals("hello, wörld", m.string());
            for (int size : new int[] {1, 125, 126, 65535, 65536, 1 << 20}) {
                byte[] data = random(size, size);
                c.binary(data);
                TestClient.Message b = c.next();
                assertFalse(b.text(), "binary comes back as binary");
                assertArrayEquals(data, b.data(), "size " + size);
            }
        }
    }

    @Test
    void rawEchoOfSixteenMegabytes() throws Exception {
        try (TestClient c = connect("/echo")) {
            byte[] data = random(16 * 1024 * 1024, 16);
            c.binary(data);
            assertArrayEquals(data, c.next().data());
        }
    }

    @Test
    void fragmentedMessagesAreReassembledAndPingsAnswered() throws Exception {
        try (RawSocket s = RawSocket.open(port, "/echo")) {
            assertEquals(101, s.status());
            s.frame(false, 1, "frag".getBytes(StandardCharsets.UTF_8));
            s.frame(true, 9, "ping!".getBytes(StandardCharsets.UTF_8)); // a control frame between fragments
            s.frame(false, 0, "men".getBytes(StandardCharsets.UTF_8));
            s.frame(true, 0, "ted".getBytes(StandardCharsets.UTF_8));
            RawSocket.Frame pong = s.read();
            assertEquals(10, pong.opcode());
            assertEquals("ping!", new String(pong.payload(), StandardCharsets.UTF_8));
            RawSocket.Frame echo = s.read();
            assertEquals(1, echo.opcode());
            assertEquals("fragmented", new String(echo.payload(), StandardCharsets.UTF_8));

            byte[] big = random(3 * 70_000, 3);
            s.frame(false, 2, java.util.Arrays.copyOfRange(big, 0, 70_000));
            s.frame(false, 0, java.util.Arrays.copyOfRange(big, 70_000, 140_000));
            s.frame(true, 0, java.util.Arrays.copyOfRange(big, 140_000, 210_000));
            RawSocket.Frame back = s.read();
            assertEquals(2, back.opcode());
            assertArrayEquals(big, back.payload());
        }
    }

    @Test
    void sixteenMegabytesInSixteenFragments() throws Exception {
        byte[] big = random(16 * 1024 * 1024, 17);
        int part = 1024 * 1024;
        try (RawSocket s = RawSocket.open(port, "/echo")) {
            for (int i = 0; i < 16; i++) {
                s.frame(i == 15, i == 0 ? 2 : 0, java.util.Arrays.copyOfRange(big, i * part, (i + 1) * part));
            }
            RawSocket.Frame back = s.read();
            assertEquals(2, back.opcode());
            assertArrayEquals(big, back.payload());
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        try (RawSocket s = RawSocket.open(port, "/echo")) {
            s.frame(true, 1, new byte[] {'o', 'k', (byte) 0xc3, (byte) 0x28});
            assertEquals(1007, s.awaitClose());
        }
        try (TestClient c = connect("/echo")) {
            c.text("still serving");
            assertEquals("still serving", c.next().string());
        }
    }

    @Test
    void oversizeMessagesCloseWith1009() throws Exception {
        try (TestClient c = connect("/small")) {
            c.binary(new byte[1000]);
            assertEquals(1000, c.next().data().length, "a message at the limit passes");
            c.binary(new byte[1001]);
            assertEquals(1009, c.awaitClose());
        }
        try (RawSocket s = RawSocket.open(port, "/small")) {
            s.frame(false, 2, new byte[600]);
            s.frame(true, 0, new byte[600]);
            assertEquals(1009, s.awaitClose(), "the total of the fragments counts");
        }
    }

    @Test
    void perConnectionOrderIsKeptWithFourInstances() throws Exception {
        int clients = 12, messages = 300;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                done.add(pool.submit(() -> {
                    try (TestClient c = connect("/echo")) {
                        for (int n = 0; n < messages; n++) c.socket.sendText(id + ":" + n, true).join();
                        for (int n = 0; n < messages; n++) assertEquals(id + ":" + n, c.next().string());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- LAppS ----

    @Test
    void lappsLoginThenEchoWithParams() throws Exception {
        try (TestClient c = connect("/echo_lapps")) {
            c.cbor(request("login", Json.object("user", "admin", "password", "admin")));
            Json.JsonObject login = (Json.JsonObject) c.nextCbor();
            assertEquals(1L, login.get("status"));
            assertEquals(0L, login.get("cid"));
            Object authkey = ((Json.JsonObject) ((Json.JsonArray) login.get("result")).get(0)).get("authkey");
            assertTrue(Json.isNumber(authkey), "authkey: " + authkey);

            Json.JsonArray numbers = Json.array(1L, 2L, 3L);
            c.cbor(request("echo", Json.object("authkey", authkey), numbers, "text"));
            Json.JsonObject echo = (Json.JsonObject) c.nextCbor();
            assertEquals(1L, echo.get("status"));
            assertEquals(Json.array(Json.object("authkey", authkey), numbers, "text"), echo.get("result"));

            // subscribe to the server time (channel 5): a notification, no response
            Json.JsonObject sub = request("subscribe", Json.object("authkey", authkey));
            sub.put("cid", 5L);
            c.cbor(sub);
            Json.JsonObject oon = (Json.JsonObject) c.nextCbor();
            assertEquals(5L, oon.get("cid"));
            assertTrue(((String) ((Json.JsonArray) oon.get("message")).get(0)).startsWith("Server time: "), oon.toString());
        }
    }

    @Test
    void blobBroadcastOfAStandaloneService() throws Exception {
        try (TestClient c = connect("/probe")) {
            c.cbor(request("subscribe", 2000L)); // broadcast_blob's channel; it sends every 5 s
            assertEquals(Json.array(true), ((Json.JsonObject) c.nextCbor()).get("result"));
            Json.JsonObject blob = (Json.JsonObject) c.nextCbor();
            assertEquals(6.0, Json.toDouble(blob.get("cid")));
            Json.JsonArray message = (Json.JsonArray) blob.get("message");
            assertEquals(6, message.size());
            assertTrue(((String) message.get(5)).length() > 4000, "the blob");
        }
    }

    @Test
    void lappsLogoutClosesTheConnection() throws Exception {
        try (TestClient c = connect("/echo_lapps")) {
            c.cbor(request("login", Json.object("user", "guest", "password", "guest")));
            Object authkey = ((Json.JsonObject) ((Json.JsonArray) ((Json.JsonObject) c.nextCbor()).get("result")).get(0)).get("authkey");
            Json.JsonObject logout = request("logout", Json.object("authkey", authkey));
            logout.put("cid", 3L);
            c.cbor(logout);
            assertEquals(1000, c.awaitClose());
        }
    }

    @Test
    void lappsWrongPasswordGetsErrorAndClose() throws Exception {
        try (TestClient c = connect("/echo_lapps")) {
            c.cbor(request("login", Json.object("user", "admin", "password", "nope")));
            Json.JsonObject err = (Json.JsonObject) c.nextCbor();
            assertEquals(0L, err.get("status"));
            assertEquals(10.0, Json.toDouble(((Json.JsonObject) err.get("error")).get("code")));
            assertEquals(1000, c.awaitClose());
        }
    }

    @Test
    void lappsRequestWithParamsAndMethodNotFound() throws Exception {
        try (TestClient c = connect("/probe")) {
            c.cbor(request("add", 2L, 40L));
            assertEquals(Json.array(42.0), ((Json.JsonObject) c.nextCbor()).get("result"));
            c.cbor(request("nosuch"));
            Json.JsonObject err = (Json.JsonObject) c.nextCbor();
            assertEquals(0L, err.get("status"));
            Json.JsonObject e = (Json.JsonObject) err.get("error");
            assertEquals(-32601L, e.get("code"));
            assertEquals("No such method: nosuch", e.get("message"));
            c.cbor(request("whoami"));
            Json.JsonArray who = (Json.JsonArray) ((Json.JsonObject) c.nextCbor()).get("result");
            assertEquals(3.0, Json.toDouble(who.get(1)), "a request without params is kind 3");
        }
    }

    @Test
    void lappsClientNotificationReachesTheService() throws Exception {
        try (TestClient c = connect("/probe")) {
            c.cbor(request("whoami", "x"));
            Json.JsonArray who = (Json.JsonArray) ((Json.JsonObject) c.nextCbor()).get("result");
            long handler = (long) Json.toDouble(who.get(0));
            assertEquals(4.0, Json.toDouble(who.get(1)));
            Json.JsonObject note = request("note", "hi", 7L);
            note.put("cid", 3L);
            c.cbor(note);
            Json.JsonObject event = awaitEvent("note", handler);
            assertNotNull(event, "the notification arrived");
            assertEquals(Json.array("hi", 7L), event.get("params"));
        }
    }

    @Test
    void malformedCborGetsAnErrorObjectAndCloseAndTheServerGoesOn() throws Exception {
        try (TestClient c = connect("/probe")) {
            c.binary(new byte[] {(byte) 0xa1, 0x61});
            Json.JsonObject err = (Json.JsonObject) c.nextCbor();
            assertEquals(-32700L, ((Json.JsonObject) err.get("error")).get("code"));
            assertEquals(1002, c.awaitClose());
        }
        try (TestClient c = connect("/probe")) {
            c.cbor(Json.object("lapps", 2L, "method", "add"));
            Json.JsonObject err = (Json.JsonObject) c.nextCbor();
            assertEquals(-32600L, ((Json.JsonObject) err.get("error")).get("code"));
            assertEquals(1002, c.awaitClose());
        }
        try (TestClient c = connect("/probe")) {
            c.text("{\"lapps\":1}");
            assertEquals(1003, c.awaitClose(), "LAppS takes binary frames only");
        }
        try (TestClient c = connect("/probe")) {
            c.cbor(request("add", 1L, 1L));
            assertEquals(Json.array(2.0), ((Json.JsonObject) c.nextCbor()).get("result"));
        }
    }

    @Test
    void failingOnMessageClosesOnlyThatConnectionWith1011() throws Exception {
        try (TestClient bystander = connect("/probe"); TestClient a = connect("/probe"); TestClient b = connect("/probe")) {
            a.cbor(request("raise"));
            assertEquals(1011, a.awaitClose());
            b.cbor(request("refuse"));
            assertEquals(1011, b.awaitClose());
            bystander.cbor(request("add", 1L, 2L));
            assertEquals(Json.array(3.0), ((Json.JsonObject) bystander.nextCbor()).get("result"));
        }
        for (int i = 0; i < 4; i++) { // every instance still serves
            try (TestClient c = connect("/probe")) {
                c.cbor(request("add", i * 1L, 1L));
                assertEquals(Json.array(i + 1.0), ((Json.JsonObject) c.nextCbor()).get("result"));
            }
        }
    }

    @Test
    void onDisconnectRunsOnceAlsoWhenTheClientJustDrops() throws Exception {
        long handler;
        try (RawSocket s = RawSocket.open(port, "/probe")) {
            s.frame(true, 2, org.apogee.lapps.json.Cbor.encode(request("whoami")));
            RawSocket.Frame f = s.read();
            Json.JsonObject r = (Json.JsonObject) org.apogee.lapps.json.Cbor.decode(f.payload());
            handler = (long) Json.toDouble(((Json.JsonArray) r.get("result")).get(0));
            s.drop();
        }
        assertNotNull(awaitEvent("disconnect", handler), "onDisconnect after a TCP drop");
        Thread.sleep(300);
        assertNull(awaitEventNow("disconnect", handler), "only once");

        long closedHandler;
        try (TestClient c = connect("/probe")) {
            c.cbor(request("whoami"));
            closedHandler = (long) Json.toDouble(((Json.JsonArray) ((Json.JsonObject) c.nextCbor()).get("result")).get(0));
        }
        assertNotNull(awaitEvent("disconnect", closedHandler), "onDisconnect after a close handshake");
    }

    @Test
    void wsCloseChecksCodesAndFitsTheReason() throws Exception {
        try (TestClient c = connect("/probe")) {
            c.cbor(request("close", 999L, "no"));
            assertEquals(Json.array(false, "ws:close: the code must be 1000-1011 or 3000-4999"),
                    ((Json.JsonObject) c.nextCbor()).get("result"), "999 is refused");
            c.cbor(request("close", 1006L, "é".repeat(100))); // the reply after ws:close is not sent
            assertEquals(1000, c.awaitClose(), "1006 may not be sent: it goes out as 1000");
            assertTrue(c.messages.isEmpty(), "nothing is sent after ws:close");
            assertTrue(c.closeReason.getBytes(StandardCharsets.UTF_8).length <= 123, c.closeReason);
        }
    }

    @Test
    void readingPausesWhileTheInstanceIsBusyAndResumesInOrder() throws Exception {
        try (TestClient c = connect("/probe")) {
            c.cbor(request("sleep", 1500L));
            String chunk = "x".repeat(40_000);
            for (int i = 0; i < 100; i++) c.cbor(request("size", chunk + i)); // 4 MB while the instance sleeps
            assertEquals(Json.array(true), ((Json.JsonObject) c.nextCbor()).get("result"));
            for (int i = 0; i < 100; i++) {
                assertEquals(40_000.0 + String.valueOf(i).length(),
                        Json.toDouble(((Json.JsonArray) ((Json.JsonObject) c.nextCbor()).get("result")).get(0)), "reply " + i);
            }
        }
    }

    @Test
    void aClientThatDoesNotReadIsDropped() throws Exception {
        long handler;
        try (RawSocket s = RawSocket.open(port, "/probe")) {
            s.frame(true, 2, org.apogee.lapps.json.Cbor.encode(request("whoami")));
            Json.JsonObject r = (Json.JsonObject) org.apogee.lapps.json.Cbor.decode(s.read().payload());
            handler = (long) Json.toDouble(((Json.JsonArray) r.get("result")).get(0));
            // 64 MB to a client that reads nothing: the server gives up on it instead of buffering it all
            s.frame(true, 2, org.apogee.lapps.json.Cbor.encode(request("flood", 1024L, 65536L)));
            Json.JsonObject flooded = awaitEvent("flooded", handler);
            assertNotNull(flooded);
            assertTrue(Json.toDouble(((Json.JsonArray) flooded.get("params")).get(0)) > 0, "some sends were refused: " + flooded);
            assertNotNull(awaitEvent("disconnect", handler), "and the connection was dropped");
        }
    }

    private Json.JsonObject awaitEventNow(String event, long handler) {
        for (Object e : events().toArray()) {
            if (e instanceof Json.JsonObject o && event.equals(o.get("event")) && Json.toDouble(o.get("handler")) == handler) return o;
        }
        return null;
    }

    @Test
    void broadcastReachesOneHundredSubscribers() throws Exception {
        List<TestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                TestClient c = connect("/probe");
                clients.add(c);
                c.cbor(request("subscribe"));
            }
            for (TestClient c : clients) assertEquals(Json.array(true), ((Json.JsonObject) c.nextCbor()).get("result"));
            TestClient sender = clients.get(0);
            sender.cbor(request("fanout", "to all", 100L));
            for (TestClient c : clients) {
                Object first = c.nextCbor();
                if (c == sender && ((Json.JsonObject) first).containsKey("result")) first = c.nextCbor();
                Json.JsonObject oon = (Json.JsonObject) first;
                assertEquals(7.0, Json.toDouble(oon.get("cid")), oon.toString());
                assertEquals(Json.array("to all", 100L), oon.get("message"));
            }
        } finally {
            for (TestClient c : clients) c.close();
        }
    }

    // ---- admission ----

    @Test
    void unknownTargetIs404AndAclRefusalIs403BeforeTheUpgrade() throws Exception {
        try (RawSocket s = RawSocket.open(port, "/nowhere")) {
            assertEquals(404, s.status());
        }
        try (RawSocket s = RawSocket.open(port, "/guarded?key=1")) {
            assertEquals(403, s.status(), "only 10.0.0.0/8 may connect");
        }
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> connect("/nowhere"));
        WebSocketHandshakeException h = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(404, h.getResponse().statusCode());
    }

    @Test
    void originAllowListAndSubprotocol() throws Exception {
        try (RawSocket s = RawSocket.open(port, "/origins", "Origin: https://evil.example")) {
            assertEquals(403, s.status());
        }
        try (RawSocket s = RawSocket.open(port, "/origins")) {
            assertEquals(403, s.status(), "no Origin when a list is configured");
        }
        try (RawSocket s = RawSocket.open(port, "/origins", "Origin: https://app.example", "Sec-WebSocket-Protocol: other, lapps.v1")) {
            assertEquals(101, s.status());
            assertTrue(s.responseHead.toLowerCase().contains("sec-websocket-protocol: lapps.v1"), s.responseHead);
        }
        try (RawSocket s = RawSocket.open(port, "/probe")) {
            assertEquals(101, s.status());
            assertTrue(s.responseHead.contains("X-Service: probe"), "extra_headers: " + s.responseHead);
        }
    }

    // ---- coroutine-style handlers ----

    @Test
    void coroutineStyleChat() throws Exception {
        try (TestClient a = connect("/chat", "chat"); TestClient b = connect("/chat", "chat")) {
            assertTrue(a.next().string().startsWith("welcome "));
            assertTrue(b.next().string().startsWith("welcome "));
            a.text("hello all");
            assertEquals("hello all", a.next().string());
            assertEquals("hello all", b.next().string());
            b.text("whereami");
            assertEquals("127.0.0.1 number", b.next().string());
            b.text("bye");
            assertEquals(1000, b.awaitClose());
            a.text("still here");
            assertEquals("still here", a.next().string());
        }
        try (TestClient c = connect("/chat")) {
            assertEquals("ask for the chat subprotocol", c.next().string());
            assertEquals(4000, c.awaitClose());
        }
    }

    @Test
    void coroutineStyleOnTheLappsProtocol() throws Exception {
        try (TestClient c = connect("/rpc")) {
            c.cbor(request("hello", "x"));
            assertEquals(Json.array("hello", 4.0), ((Json.JsonObject) c.nextCbor()).get("result"));
            c.cbor(request("again"));
            assertEquals(Json.array("again", 3.0), ((Json.JsonObject) c.nextCbor()).get("result"));
            c.binary(new byte[] {(byte) 0xff});
            assertEquals(-32700L, ((Json.JsonObject) ((Json.JsonObject) c.nextCbor()).get("error")).get("code"));
            assertEquals(1002, c.awaitClose());
        }
    }

    // ---- standalone services ----

    @Test
    void mqrSenderAndReceivers() throws Exception {
        host.startService("mqr_receiver");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!home.printed().matches("(?s).*\\b[1-9]\\d* messages (in|per) \\d+ ?ms.*")) {
                if (System.nanoTime() > deadline) fail("no receiver report; printed:\n" + home.printed());
                Thread.sleep(100);
            }
        } finally {
            // receivers first: they wait in recv() for what the sender posts
            host.stopService("mqr_receiver", java.time.Duration.ofSeconds(5));
            host.stopService("mqr_sender", java.time.Duration.ofSeconds(5));
        }
    }
}
