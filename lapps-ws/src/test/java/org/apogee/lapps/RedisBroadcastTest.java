package org.apogee.lapps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apogee.lapps.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Two Apogee nodes relaying broadcasts through a real redis-server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisBroadcastTest {

    private Process redis;
    private LappsHost hostA, hostB;
    private final UndertowFixture serverA = new UndertowFixture(), serverB = new UndertowFixture();
    private int portA, portB;

    @BeforeAll
    void start() throws Exception {
        ensurePackages("redis-server");
        int redisPort;
        try (ServerSocket s = new ServerSocket(0)) {
            redisPort = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("redis");
        redis = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", redisPort)) {
                if (s.isConnected()) break;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("redis-server did not start:\n" + Files.readString(dir.resolve("redis.log")));
                Thread.sleep(100);
            }
        }
        String url = "redis://127.0.0.1:" + redisPort;
        hostA = new TestHome("lapps.json").start(url);
        hostB = new TestHome("lapps.json").start(url);
        portA = serverA.start(hostA);
        portB = serverB.start(hostB);
    }

    @AfterAll
    void stop() throws Exception {
        serverA.close();
        serverB.close();
        if (hostA != null) hostA.stop(Duration.ofSeconds(5));
        if (hostB != null) hostB.stop(Duration.ofSeconds(5));
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Json.JsonObject request(String method, Object... params) {
        return TestClient.request(method, params);
    }

    @Test
    void bcastReachesSubscribersOnBothNodes() throws Exception {
        try (TestClient a = TestClient.connect(URI.create("ws://127.0.0.1:" + portA + "/probe"));
             TestClient b = TestClient.connect(URI.create("ws://127.0.0.1:" + portB + "/probe"))) {
            for (TestClient c : List.of(a, b)) {
                c.cbor(request("subscribe"));
                assertEquals(Json.array(true), ((Json.JsonObject) c.nextCbor()).get("result"));
            }
            a.cbor(request("fanout", "from A"));
            assertEquals(Json.array("from A"), ((Json.JsonObject) b.nextCbor()).get("message"), "node B got node A's broadcast");
            Object first = a.nextCbor();
            Object second = a.nextCbor();
            assertTrue(List.of(first, second).stream().anyMatch(o -> Json.array("from A").equals(((Json.JsonObject) o).get("message"))),
                    "node A's own subscriber too, once: " + first + " " + second);
            b.cbor(request("fanout", "from B"));
            assertEquals(Json.array("from B"), ((Json.JsonObject) a.nextCbor()).get("message"));
            assertEquals(null, a.messages.poll(300, TimeUnit.MILLISECONDS), "delivered once");
        }
    }

    @Test
    void chatBroadcastCrossesNodes() throws Exception {
        try (TestClient a = TestClient.connect(URI.create("ws://127.0.0.1:" + portA + "/chat"), "chat");
             TestClient b = TestClient.connect(URI.create("ws://127.0.0.1:" + portB + "/chat"), "chat")) {
            a.next();
            b.next();
            a.text("hello from A");
            assertEquals("hello from A", a.next().string());
            assertEquals("hello from A", b.next().string());
        }
    }

    static void ensurePackages(String... packages) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("scripts/ensure-packages.sh"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("scripts/ensure-packages.sh not found above " + Path.of("").toAbsolutePath());
        List<String> cmd = new java.util.ArrayList<>(List.of(dir.resolve("scripts/ensure-packages.sh").toString()));
        cmd.addAll(List.of(packages));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES) && p.exitValue() == 0, "installing " + String.join(" ", packages));
    }
}
