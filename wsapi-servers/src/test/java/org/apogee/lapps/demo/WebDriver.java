package org.apogee.lapps.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apogee.lapps.json.Json;
import org.apogee.lapps.json.JsonText;
import org.apogee.server.tck.Packages;
import org.apogee.server.tck.Ports;

/**
 * Just enough of the W3C WebDriver protocol to drive Debian's headless Chromium through chromedriver,
 * for browser tests: open pages, find elements by CSS selector, read them, click, type, upload files,
 * submit forms, run scripts, and wait for what a page shows. Each instance is one browser (its own
 * chromedriver process, its own Chromium with a fresh profile: own cookies, own storage), so a test
 * can drive several users at once. Closing ends the session and stops the driver by its process id.
 *
 * <p>Every {@code await...} method polls until its condition holds or the timeout
 * ({@link #timeout(Duration)}, 20 s unless set) passes, then fails with an {@link AssertionError}
 * that says what it last saw. Element lookups without {@code await} fail at once with a
 * {@link Failure} ({@code "no such element"}) when nothing matches.
 */
public final class WebDriver implements AutoCloseable {

    /** W3C's key for an element reference in JSON. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    /** An error answer of the driver: {@link #error()} is the W3C error code ("no such element", ...). */
    public static final class Failure extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final String error;

        Failure(String error, String message) {
            super(message);
            this.error = error;
        }

        /** The W3C error code: "no such element", "stale element reference", "element not interactable", ... */
        public String error() {
            return error;
        }
    }

    private final Process driver;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String session;
    private volatile Duration timeout = Duration.ofSeconds(20);

    /**
     * A headless Chromium from Debian's packages (chromium, chromium-driver; installed when missing),
     * 1280x1024.
     */
    public static WebDriver start() throws Exception {
        Packages.ensure("chromium", "chromium-driver");
        return new WebDriver(Path.of("/usr/bin/chromedriver"), Path.of("/usr/bin/chromium"));
    }

    /** A headless browser from these binaries. */
    public WebDriver(Path chromedriver, Path chromium) throws Exception {
        int port = Ports.free();
        driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (send("GET", "/status", null) instanceof Json.JsonObject) break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !driver.isAlive()) {
                    driver.destroyForcibly();
                    throw new IllegalStateException("chromedriver did not start");
                }
                Thread.sleep(200);
            }
        }
        Object options = Json.object("binary", chromium.toString(), "args", Json.array(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--window-size=1280,1024"));
        Json.JsonObject caps = Json.object("capabilities", Json.object("alwaysMatch",
                Json.object("browserName", "chrome", "goog:chromeOptions", options, "unhandledPromptBehavior", "ignore")));
        String id;
        try {
            Json.JsonObject created = (Json.JsonObject) send("POST", "/session", caps);
            id = (String) created.get("sessionId");
        } catch (RuntimeException e) {
            driver.destroyForcibly();
            throw e;
        }
        session = id;
    }

    // ---- protocol

    /** Sends a command; returns its "value". */
    private Object send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(JsonText.encode(body))).header("Content-Type", "application/json");
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Object parsed = JsonText.parse(r.body());
        Object value = parsed instanceof Map<?, ?> m ? m.get("value") : null;
        if (r.statusCode() != 200) {
            String error = value instanceof Map<?, ?> v && v.get("error") instanceof String e ? e : "unknown error";
            String message = value instanceof Map<?, ?> v && v.get("message") instanceof String m ? m : r.body();
            throw new Failure(error, "WebDriver " + method + " " + path + ": " + error + ": " + message);
        }
        return value;
    }

    private Object command(String method, String path, Object body) throws Exception {
        return send(method, "/session/" + session + path, body);
    }

    /** The element id of the first match. */
    private String element(String css) throws Exception {
        Json.JsonObject e = (Json.JsonObject) command("POST", "/element", Json.object("using", "css selector", "value", css));
        return (String) e.get(ELEMENT);
    }

    private List<String> elements(String css) throws Exception {
        Json.JsonArray found = (Json.JsonArray) command("POST", "/elements", Json.object("using", "css selector", "value", css));
        List<String> ids = new ArrayList<>();
        for (Object o : found) ids.add((String) ((Map<?, ?>) o).get(ELEMENT));
        return ids;
    }

    // ---- navigation

    /** Loads a page (returns when it has loaded). */
    public void open(String url) throws Exception {
        command("POST", "/url", Json.object("url", url));
    }

    public void open(URI url) throws Exception {
        open(url.toString());
    }

    /** The current page's URL. */
    public String url() throws Exception {
        return (String) command("GET", "/url", null);
    }

    public String title() throws Exception {
        return (String) command("GET", "/title", null);
    }

    /** The current DOM as HTML. */
    public String source() throws Exception {
        return (String) command("GET", "/source", null);
    }

    public void back() throws Exception {
        command("POST", "/back", Json.object());
    }

    public void refresh() throws Exception {
        command("POST", "/refresh", Json.object());
    }

    // ---- reading

    /** The rendered text of the first element matching {@code css}. */
    public String text(String css) throws Exception {
        return (String) command("GET", "/element/" + element(css) + "/text", null);
    }

    /** The rendered texts of all elements matching {@code css}, in document order. */
    public List<String> texts(String css) throws Exception {
        List<String> texts = new ArrayList<>();
        for (String id : elements(css)) texts.add((String) command("GET", "/element/" + id + "/text", null));
        return texts;
    }

    /** The text of the whole page ({@code body}). */
    public String pageText() throws Exception {
        return text("body");
    }

    /** How many elements match {@code css} now. */
    public int count(String css) throws Exception {
        return elements(css).size();
    }

    /** Whether an element matches {@code css} now. */
    public boolean present(String css) throws Exception {
        return count(css) > 0;
    }

    /** An attribute as written in the HTML (null when absent). */
    public String attribute(String css, String name) throws Exception {
        Object v = command("GET", "/element/" + element(css) + "/attribute/" + name, null);
        return v instanceof String s ? s : null;
    }

    /** A DOM property (e.g. {@code value} of an input, {@code checked}); strings, numbers, booleans or null. */
    public Object property(String css, String name) throws Exception {
        return plain(command("GET", "/element/" + element(css) + "/property/" + name, null));
    }

    /** The current value of an input, textarea or select. */
    public String value(String css) throws Exception {
        Object v = property(css, "value");
        return v == null ? null : v.toString();
    }

    // ---- acting

    /** Clicks the first element matching {@code css} (scrolled into view, as a user would). */
    public void click(String css) throws Exception {
        command("POST", "/element/" + element(css) + "/click", Json.object());
    }

    /** Types {@code text} into an input or textarea, after what it holds. */
    public void type(String css, String text) throws Exception {
        command("POST", "/element/" + element(css) + "/value", Json.object("text", text));
    }

    /** Empties an input or textarea. */
    public void clear(String css) throws Exception {
        command("POST", "/element/" + element(css) + "/clear", Json.object());
    }

    /** Empties an input or textarea, then types {@code text} into it. */
    public void fill(String css, String text) throws Exception {
        String id = element(css);
        command("POST", "/element/" + id + "/clear", Json.object());
        command("POST", "/element/" + id + "/value", Json.object("text", text));
    }

    /** Chooses a file for an {@code <input type=file>} (the browser reads it from this machine). */
    public void upload(String css, Path file) throws Exception {
        command("POST", "/element/" + element(css) + "/value", Json.object("text", file.toAbsolutePath().toString()));
    }

    /**
     * Chooses the option of a {@code <select>} whose visible text or value is {@code option}, and fires
     * {@code input} and {@code change} as a user's choice does.
     */
    public void select(String css, String option) throws Exception {
        Object found = executeOn(css, """
                const s = arguments[0], want = arguments[1];
                const o = Array.from(s.options).find(o => o.text.trim() === want || o.value === want);
                if (!o) return false;
                s.value = o.value;
                s.dispatchEvent(new Event('input', { bubbles: true }));
                s.dispatchEvent(new Event('change', { bubbles: true }));
                return true;""", option);
        if (!Boolean.TRUE.equals(found)) throw new Failure("no such element", css + " has no option '" + option + "'");
    }

    /**
     * Submits the form that the first element matching {@code css} is (or is in), as pressing its submit
     * button does: validation, submit handlers, then the request ({@code requestSubmit}).
     */
    public void submit(String css) throws Exception {
        Object ok = executeOn(css, """
                const e = arguments[0];
                const f = e.tagName === 'FORM' ? e : (e.form || e.closest('form'));
                if (!f) return false;
                if (f.requestSubmit) f.requestSubmit(); else f.submit();
                return true;""");
        if (!Boolean.TRUE.equals(ok)) throw new Failure("no such element", css + " is not in a form");
    }

    // ---- scripts

    /**
     * Runs {@code script} as a function body in the page ({@code arguments[i]} are the arguments:
     * strings, numbers, booleans, null, lists, maps); returns what it returns (String, Long,
     * Double, Boolean, List, Map or null).
     */
    public Object execute(String script, Object... args) throws Exception {
        return plain(command("POST", "/execute/sync", Json.object("script", script, "args", json(Arrays.asList(args)))));
    }

    /**
     * Runs an asynchronous script: the last argument it gets is a callback, and what it passes to it
     * is the result (e.g. {@code fetch(...).then(r => r.text()).then(arguments[arguments.length - 1])}).
     */
    public Object executeAsync(String script, Object... args) throws Exception {
        return plain(command("POST", "/execute/async", Json.object("script", script, "args", json(Arrays.asList(args)))));
    }

    /** Like {@link #execute}, with the first element matching {@code css} as {@code arguments[0]} before {@code args}. */
    public Object executeOn(String css, String script, Object... args) throws Exception {
        Json.JsonArray all = new Json.JsonArray();
        all.add(Json.object(ELEMENT, element(css)));
        all.addAll((Json.JsonArray) json(Arrays.asList(args)));
        return plain(command("POST", "/execute/sync", Json.object("script", script, "args", all)));
    }

    // ---- waiting

    /** The timeout of the {@code await...} methods from now on. */
    public WebDriver timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * Polls {@code check} until it returns something other than null or false, and returns that;
     * {@link Failure}s count as not yet. {@code what} names the condition in the error.
     */
    public <T> T await(String what, Duration timeout, Callable<T> check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            try {
                T v = check.call();
                if (v != null && !Boolean.FALSE.equals(v)) return v;
                last = String.valueOf(v);
            } catch (Failure notYet) {
                last = notYet.getMessage();
            }
            if (System.nanoTime() > deadline) throw new AssertionError("waited " + timeout + " for " + what + "; last: " + last);
            Thread.sleep(100);
        }
    }

    public <T> T await(String what, Callable<T> check) throws Exception {
        return await(what, timeout, check);
    }

    /** Waits until the first element matching {@code css} has text matching {@code regex} (a full match); returns the text. */
    public String awaitText(String css, String regex) throws Exception {
        return awaitText(css, regex, timeout);
    }

    public String awaitText(String css, String regex, Duration timeout) throws Exception {
        Pattern p = Pattern.compile(regex, Pattern.DOTALL);
        String[] last = {""};
        try {
            return await(css + " matching " + regex, timeout, () -> {
                last[0] = text(css);
                return p.matcher(last[0]).matches() ? last[0] : null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(css + " never matched " + regex + " within " + timeout + "; last text: " + last[0], e);
        }
    }

    /** Waits until an element matches {@code css}. */
    public void awaitPresent(String css) throws Exception {
        awaitPresent(css, timeout);
    }

    public void awaitPresent(String css, Duration timeout) throws Exception {
        await(css + " to be present", timeout, () -> present(css));
    }

    /** Waits until no element matches {@code css}. */
    public void awaitAbsent(String css) throws Exception {
        await(css + " to be gone", timeout, () -> !present(css));
    }

    /** Waits until exactly {@code n} elements match {@code css}. */
    public void awaitCount(String css, int n) throws Exception {
        int[] last = {-1};
        try {
            await(n + " x " + css, timeout, () -> (last[0] = count(css)) == n);
        } catch (AssertionError e) {
            throw new AssertionError("expected " + n + " x " + css + ", last saw " + last[0], e);
        }
    }

    /** Waits until the page's text contains {@code text}; returns the page text. */
    public String awaitPageText(String text) throws Exception {
        String[] last = {""};
        try {
            return await("page text containing '" + text + "'", timeout, () -> (last[0] = pageText()).contains(text) ? last[0] : null);
        } catch (AssertionError e) {
            throw new AssertionError("the page never showed '" + text + "'; last page text:\n" + last[0], e);
        }
    }

    /** Waits until the URL matches {@code regex} (a find, not a full match); returns the URL. */
    public String awaitUrl(String regex) throws Exception {
        Pattern p = Pattern.compile(regex);
        return await("URL matching " + regex, timeout, () -> {
            String u = url();
            return p.matcher(u).find() ? u : null;
        });
    }

    // ---- cookies, dialogs, screenshots

    /** The cookies the page can see: name, value, path, domain, httpOnly, secure, ... */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> cookies() throws Exception {
        return (List<Map<String, Object>>) plain(command("GET", "/cookie", null));
    }

    public void deleteCookies() throws Exception {
        command("DELETE", "/cookie", null);
    }

    /** The text of the open alert, confirm or prompt dialog. */
    public String alertText() throws Exception {
        return (String) command("GET", "/alert/text", null);
    }

    /** OK on the open dialog. */
    public void acceptAlert() throws Exception {
        command("POST", "/alert/accept", Json.object());
    }

    /** Cancel on the open dialog. */
    public void dismissAlert() throws Exception {
        command("POST", "/alert/dismiss", Json.object());
    }

    /** Writes a PNG of the viewport (for a failing test's report); returns the file. */
    public Path screenshot(Path file) throws Exception {
        String png = (String) command("GET", "/screenshot", null);
        Files.write(file, Base64.getDecoder().decode(png));
        return file;
    }

    // ---- JSON

    private static Object json(Object v) {
        if (v instanceof Map<?, ?> m) {
            Json.JsonObject o = new Json.JsonObject();
            m.forEach((k, x) -> o.put(String.valueOf(k), json(x)));
            return o;
        }
        if (v instanceof Collection<?> c) {
            Json.JsonArray a = new Json.JsonArray();
            for (Object x : c) a.add(json(x));
            return a;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Float f) return f.doubleValue();
        if (v instanceof Path p) return p.toString();
        return v;
    }

    private static Object plain(Object v) {
        if (v == Json.NULL) return null;
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> o = new LinkedHashMap<>();
            m.forEach((k, x) -> o.put(String.valueOf(k), plain(x)));
            return o;
        }
        if (v instanceof List<?> l) {
            List<Object> a = new ArrayList<>();
            for (Object x : l) a.add(plain(x));
            return a;
        }
        return v;
    }

    /** Ends the session, stops chromedriver (by its process id) and with it the browser. */
    @Override
    public void close() {
        try {
            if (session != null) send("DELETE", "/session/" + session, null);
        } catch (Exception ignored) {
            // the driver goes anyway
        }
        driver.destroy();
        try {
            if (!driver.waitFor(10, TimeUnit.SECONDS)) driver.destroyForcibly();
        } catch (InterruptedException e) {
            driver.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
