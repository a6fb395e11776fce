package org.apogee.lapps.demo;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apogee.lapps.json.Json;
import org.apogee.lapps.json.JsonText;

/**
 * Just enough of the W3C WebDriver protocol to drive Debian's headless Chromium through
 * chromedriver: open a page, find elements, read their text, click.
 */
final class WebDriver implements AutoCloseable {

    private final Process driver;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String session;

    WebDriver(Path chromedriver, Path chromium) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (send("GET", "/status", null) instanceof Json.JsonObject) break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("chromedriver did not start");
                Thread.sleep(200);
            }
        }
        Object options = Json.object("binary", chromium.toString(), "args", Json.array(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"));
        Json.JsonObject caps = Json.object("capabilities", Json.object("alwaysMatch",
                Json.object("browserName", "chrome", "goog:chromeOptions", options)));
        Json.JsonObject created = (Json.JsonObject) send("POST", "/session", caps);
        session = (String) created.get("sessionId");
    }

    /** Sends a command; returns its "value". */
    private Object send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(JsonText.encode(body))).header("Content-Type", "application/json");
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Object parsed = JsonText.parse(r.body());
        Object value = parsed instanceof Map<?, ?> m ? m.get("value") : null;
        if (r.statusCode() != 200) throw new IllegalStateException("WebDriver " + method + " " + path + ": " + r.statusCode() + " " + r.body());
        return value;
    }

    void open(String url) throws Exception {
        send("POST", "/session/" + session + "/url", Json.object("url", url));
    }

    private String element(String css) throws Exception {
        Json.JsonObject e = (Json.JsonObject) send("POST", "/session/" + session + "/element",
                Json.object("using", "css selector", "value", css));
        return (String) e.values().iterator().next();
    }

    String text(String css) throws Exception {
        return (String) send("GET", "/session/" + session + "/element/" + element(css) + "/text", null);
    }

    void click(String css) throws Exception {
        send("POST", "/session/" + session + "/element/" + element(css) + "/click", Json.object());
    }

    /** Waits until the element's text matches the regular expression; returns it. */
    String awaitText(String css, String regex) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String t = "";
        while (System.nanoTime() < deadline) {
            try {
                t = text(css);
                if (t.matches(regex)) return t;
            } catch (IllegalStateException notThereYet) {
                t = notThereYet.getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(css + " never matched " + regex + "; last: " + t);
    }

    @Override
    public void close() {
        try {
            if (session != null) send("DELETE", "/session/" + session, null);
        } catch (Exception ignored) {
            // the driver goes anyway
        }
        driver.destroy();
        try {
            driver.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        driver.destroyForcibly();
    }
}
