package org.apogee.server.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.server.tck.Ports;
import org.apogee.server.tck.Redis;
import org.apogee.server.undertow.UndertowServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session filter's Redis store against a real redis-server (the Debian package, installed when
 * missing), started on 127.0.0.1 and a free port with nothing saved to disk, and stopped by PID.
 * Two Apogee servers (two hosts, two Undertow listeners) share one session through it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisSessionTest {

    private static final String SECRET = "redis-session-test-secret-0123456789abcdef";

    @TempDir
    static Path dir;

    private Redis redis;
    private int redisPort;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startRedis() throws Exception {
        redis = Redis.start();
        redisPort = redis.port();
    }

    @AfterAll
    void stopRedis() {
        if (redis != null) redis.close();
    }

    private void writeApp(Path folder, int port) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("app.lua"), """
                local filters = require "wsapi.filters"
                local session = require "wsapi.filters.session"
                local function app(env)
                  local s = env.session
                  if env.PATH_INFO == "/plain" then
                    return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("no session needed") end)
                  end
                  if env.PATH_INFO == "/forge" then -- a validly signed cookie for a session the store never saw
                    local crypto = require "wsapi.filters.crypto"
                    local value = crypto.signer("%1$s"):sign(crypto.random_token(24))
                    return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("apogee_session=" .. value) end)
                  end
                  if env.PATH_INFO == "/login" then
                    s:set("user", env.QUERY_STRING)
                    s:regenerate()
                  end
                  s:set("n", (s:get("n") or 0) + 1)
                  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
                    coroutine.yield(tostring(s:get("user")) .. " " .. s:get("n"))
                  end)
                end
                return filters.stack {
                  { filters.session, secret = "%1$s",
                    store = session.redis { url = "redis://127.0.0.1:%2$d/0", prefix = "apogee-test:", connect_timeout = 0.3, timeout = 0.5 } },
                  app,
                }
                """.formatted(SECRET, port));
    }

    private static UndertowServer serve(Path folder) throws IOException {
        HostConfig config = HostConfig.of(folder.resolve("app.lua")).withInstances(2).withAcquireTimeout(Duration.ofSeconds(5));
        return UndertowServer.start(new WsapiHost(config), "127.0.0.1", 0);
    }

    private HttpResponse<String> get(UndertowServer s, String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).timeout(Duration.ofSeconds(20));
        if (cookie != null) b.header("Cookie", cookie);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<?> r) {
        for (String line : r.headers().allValues("Set-Cookie")) {
            if (line.startsWith("apogee_session=")) return line.substring(0, line.indexOf(';'));
        }
        return null;
    }

    private String redisCli(String... args) throws Exception {
        String[] cmd = new String[args.length + 5];
        cmd[0] = "/usr/bin/redis-cli";
        cmd[1] = "-h";
        cmd[2] = "127.0.0.1";
        cmd[3] = "-p";
        cmd[4] = String.valueOf(redisPort);
        System.arraycopy(args, 0, cmd, 5, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void twoServersShareOneSessionThroughRedis() throws Exception {
        writeApp(dir.resolve("node1"), redisPort);
        writeApp(dir.resolve("node2"), redisPort);
        try (UndertowServer one = serve(dir.resolve("node1")); UndertowServer two = serve(dir.resolve("node2"))) {
            HttpResponse<String> login = get(one, "/login?ann", null);
            assertEquals("ann 1", login.body());
            String cookie = cookie(login);
            assertNotNull(cookie);
            assertEquals("ann 2", get(two, "/", cookie).body(), "the second node sees the session");
            assertEquals("ann 3", get(one, "/", cookie).body());
            assertEquals("ann 4", get(two, "/", cookie).body());
            String id = cookie.substring("apogee_session=".length(), cookie.indexOf('.'));
            assertEquals("1", redisCli("EXISTS", "apogee-test:" + id), "the session lives in Redis");
            long ttl = Long.parseLong(redisCli("PTTL", "apogee-test:" + id));
            assertTrue(ttl > 0 && ttl <= 1800_000, "idle expiry as the key's TTL: " + ttl);
            // regenerate on the second node: the old id is gone everywhere
            HttpResponse<String> again = get(two, "/login?bob", cookie);
            String rotated = cookie(again);
            assertNotNull(rotated);
            assertEquals("0", redisCli("EXISTS", "apogee-test:" + id));
            assertEquals("bob 6", get(one, "/", rotated).body());
            assertEquals("nil 1", get(one, "/", cookie).body(), "the old cookie starts a new session");
        }
    }

    @Test
    void aRedisOutageIsAClearErrorForSessionUseAndNeverHangs() throws Exception {
        int nobody = Ports.free(); // nothing listens there
        writeApp(dir.resolve("down"), nobody);
        try (UndertowServer s = serve(dir.resolve("down"))) {
            // loads the app (and the Redis client) in a state first; that is not what is measured
            assertEquals("no session needed", get(s, "/plain", null).body());
            // a new session cannot be saved
            long started = System.nanoTime();
            HttpResponse<String> r = get(s, "/", null);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("The session store is unavailable"), r.body());
            assertTrue(ms < 5000, "answered in " + ms + " ms");
            // a known session cannot be read
            String cookie = get(s, "/forge", null).body();
            started = System.nanoTime();
            r = get(s, "/", cookie);
            ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(ms < 5000, "answered in " + ms + " ms");
            // requests that do not use the session are served as usual
            assertEquals("no session needed", get(s, "/plain", cookie).body());
        }
    }
}
