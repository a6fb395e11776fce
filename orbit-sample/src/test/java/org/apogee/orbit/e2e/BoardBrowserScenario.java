package org.apogee.orbit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apogee.lapps.demo.WebDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The Orbit Board sample (orbit-sample/app) used by two people at once, each in a real headless
 * Chromium, against one deployment of it. A subclass deploys the board ({@link #deploy}) and says
 * where its home page is; the story is the same for every deployment:
 *
 * <ol>
 * <li>A signs up and lands on the board, logged in; B fails to log in with a wrong password, then
 * signs up too, and B's page goes live (the WebSocket of the live view is subscribed).</li>
 * <li>A adds a card with a body and an attachment through the form; A is sent back to the board and
 * sees it; B's board shows it without a reload.</li>
 * <li>A card whose title and body are markup shows as text, on the board, live and on its page.</li>
 * <li>B opens the card, downloads the attachment (the same bytes), has no delete button and is
 * refused when deleting it anyway.</li>
 * <li>A deletes the card: it goes from B's board without a reload; its page and file are gone. A
 * deletes the other card while B looks at its page: B's page says so.</li>
 * <li>A logs out: the sign-up and log-in links are back, the new-card form is gone.</li>
 * <li>Over plain HTTP: a new-card post without the session's CSRF token (or with a wrong one) is
 * refused, with the right one it is taken.</li>
 * </ol>
 *
 * On a failure, screenshots and page sources of both browsers and the servers' logs are written
 * under {@code target/e2e/<test class>/}, and the assertion message names them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BoardBrowserScenario {

    /** How long a change may take to reach another browser (the poller looks every 250 ms). */
    static final Duration LIVE = Duration.ofSeconds(20);

    /**
     * Variables of this JVM's environment kept from the board's Apogee processes, so that each uses the test's
     * BOARD_DATA, SQLite there, sessions in memory and the bundled Lua path.
     */
    static final List<String> FOREIGN_ENV = List.of("BOARD_DATABASE", "REDIS_URL", "APOGEE_SESSION_SECRET", "BOARD_ACCESS_LOG",
            "LUA_PATH", "LUA_PATH_5_2", "LAPPS_HOME");

    private final List<AutoCloseable> running = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The test's temporary folder (BOARD_DATA, the attachment, a CATALINA_BASE...), removed at the end. */
    protected Path work;
    /** The board's home page, ending with "/". */
    protected URI home;
    /** Its mount point: "" at the server root, else "/board" and the like. */
    protected String prefix;
    private volatile String step = "deploying";

    /**
     * Starts the board and returns its home page's URL (ending with "/"). Each process goes to
     * {@link #stopLater} as soon as it runs, so that it is stopped even when a later one fails.
     * {@code data} is for BOARD_DATA; it does not exist yet (the board creates it).
     */
    protected abstract URI deploy(Path work, Path data) throws Exception;

    /** The output and logs of the deployment's servers so far (for a failure's report). */
    protected abstract String serverLogs();

    /** Stops {@code process} (closes it) after the tests, in the reverse order of starting. */
    protected final <T extends AutoCloseable> T stopLater(T process) {
        running.add(process);
        return process;
    }

    /** The SQLite database the board made under BOARD_DATA. */
    protected Path database() {
        return work.resolve("data/board.db");
    }

    @BeforeAll
    final void startDeployment() throws Exception {
        delete(reports());
        work = Files.createTempDirectory("board-e2e-");
        long t0 = System.nanoTime();
        URI url = deploy(work, work.resolve("data"));
        assertTrue(url.getPath().endsWith("/"), "a home page URL ends with /: " + url);
        home = url;
        prefix = url.getPath().substring(0, url.getPath().length() - 1);
        note("deployed at " + home + " in " + millis(t0) + " ms");
        awaitFile(database(), Duration.ofSeconds(20));
    }

    @AfterAll
    final void stopDeployment() {
        try {
            Path dir = Files.createDirectories(reports());
            note("server logs: " + Files.writeString(dir.resolve("server.log"), settledServerLogs()).toAbsolutePath());
        } catch (Exception e) {
            System.err.println(getClass().getSimpleName() + ": the server logs: " + e);
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println(getClass().getSimpleName() + ": stopping " + running.get(i) + ": " + e);
            }
        }
        running.clear();
        if (work != null) delete(work);
    }

    // ---- the story

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    final void twoBrowsersShareALiveBoard() throws Exception {
        long t0 = System.nanoTime();
        try (WebDriver a = WebDriver.start(); WebDriver b = WebDriver.start()) {
            a.timeout(Duration.ofSeconds(20));
            b.timeout(Duration.ofSeconds(20));
            try {
                story(a, b);
            } catch (Throwable t) {
                throw report(t, a, b);
            }
        }
        note("the story took " + millis(t0) + " ms");
    }

    private void story(WebDriver a, WebDriver b) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36) + Integer.toString(new Random().nextInt(36 * 36), 36);
        String ann = "ann_" + run, bob = "bob." + run;
        String password = "orbit-" + run + "-secret";

        step("A opens the board, not logged in");
        a.open(home);
        assertPresent(a, "a#signup-link", "a#login-link");
        assertAbsent(a, "#user", "form#new-card", "form#logout-form");
        assertLinksUnderPrefix(a);

        step("A signs up");
        navigate(a, "a#signup-link");
        assertEquals(url("/signup"), a.url());
        a.fill("form#signup-form input[name=username]", ann);
        a.fill("form#signup-form input[name=password]", password);
        navigate(a, "form#signup-form button[type=submit]");
        assertEquals(ann, a.awaitText("#user", Pattern.quote(ann)));
        assertEquals(home.toString(), a.url(), "after signing up, the board");
        assertPresent(a, "form#new-card", "form#logout-form", "button#logout-button");
        assertAbsent(a, "a#signup-link", "a#login-link");
        assertLinksUnderPrefix(a);

        step("B tries to log in as A with a wrong password");
        b.open(home);
        navigate(b, "a#login-link");
        b.fill("form#login-form input[name=username]", ann);
        b.fill("form#login-form input[name=password]", password + "-wrong");
        navigate(b, "form#login-form button[type=submit]");
        String error = b.awaitText(".error", ".+");
        assertTrue(error.toLowerCase().contains("password"), "the error says what went wrong: " + error);
        assertAbsent(b, "#user", "form#logout-form");
        assertEquals(ann, b.value("form#login-form input[name=username]"), "the name typed stays in the form");

        step("B signs up as another user and goes live");
        navigate(b, "a#signup-link");
        b.fill("form#signup-form input[name=username]", bob);
        b.fill("form#signup-form input[name=password]", password);
        navigate(b, "form#signup-form button[type=submit]");
        assertEquals(bob, b.awaitText("#user", Pattern.quote(bob)));
        assertEquals(home.toString(), b.url(), "after signing up, the board");
        b.awaitText("#live-status", "live", LIVE);
        String bMarker = markPage(b);

        step("A adds a card with an attachment");
        String title = "Launch checklist " + run;
        String body = "Fuel and oxygen.\nThen the countdown: 3, 2, 1.";
        byte[] bytes = attachment(run);
        Path file = Files.write(work.resolve("flight-plan-" + run + ".bin"), bytes);
        String fileName = file.getFileName().toString();
        a.fill("form#new-card input[name=title]", title);
        a.fill("form#new-card textarea[name=body]", body);
        a.upload("form#new-card input[type=file][name=attachment]", file);
        navigate(a, "form#new-card button[type=submit]");
        assertEquals(home.toString(), a.url(), "after adding a card, the board");
        String id = a.await("the new card on A's board", () -> cardId(a, title));
        String item = "ul#cards > li.card[data-id=\"" + id + "\"]";
        assertFalse(classes(a, item).contains("fresh"), "A's board came from the server with the card in it");
        assertEquals(ann, textContent(a, item + " .card-author"));
        assertEquals(fileName, textContent(a, item + " a.card-file"));
        assertEquals(id, cardIdAt(a, 0), "newest first");

        step("B sees the card appear without a reload");
        assertEquals(id, b.await("the new card on B's board (live)", LIVE, () -> cardId(b, title)));
        assertEquals(bMarker, b.execute("return window.boardE2eMarker"), "B's page was not reloaded");
        assertTrue(classes(b, item).contains("fresh"), "added by the live view: " + classes(b, item));
        assertEquals(ann, textContent(b, item + " .card-author"));
        assertEquals(fileName, textContent(b, item + " a.card-file"));
        assertEquals(prefix + "/cards/" + id, b.attribute(item + " a.card-title", "href"));
        assertEquals(prefix + "/cards/" + id + "/file", b.attribute(item + " a.card-file", "href"));
        assertEquals("live", b.text("#live-status"));

        step("A adds a card whose title and text are markup");
        String markupTitle = "<script>window.boardInjected = 1</script><b>bold</b> " + run;
        String markupBody = "<img src=x onerror=\"window.boardInjected = 2\"> & <i>more</i>";
        a.fill("form#new-card input[name=title]", markupTitle);
        a.fill("form#new-card textarea[name=body]", markupBody);
        navigate(a, "form#new-card button[type=submit]");
        assertEquals(home.toString(), a.url(), "after adding a card, the board");
        String markupId = cardIdAt(a, 0);
        assertNotNull(markupId, "a card on A's board");
        assertNotEquals(id, markupId, "the new card is first on A's board");
        String markupItem = "ul#cards > li.card[data-id=\"" + markupId + "\"]";
        assertShownAsText(a, markupItem, markupTitle);
        b.await("the markup card on B's board (live)", LIVE, () -> b.present(markupItem));
        assertEquals(bMarker, b.execute("return window.boardE2eMarker"), "B's page was not reloaded");
        assertShownAsText(b, markupItem, markupTitle);
        navigate(a, markupItem + " a.card-title");
        assertEquals(markupTitle, textContent(a, "h1.card-title"));
        assertEquals(markupBody, textContent(a, ".card-body"));
        assertEquals(0L, a.execute("return document.querySelectorAll('article script, article img, article b, article i').length"));
        assertEquals(null, a.execute("return window.boardInjected === undefined ? null : window.boardInjected"));

        step("B opens the card and downloads its attachment");
        navigate(b, item + " a.card-title");
        assertEquals(url("/cards/" + id), b.url());
        assertEquals(title, textContent(b, "h1.card-title"));
        assertEquals(body, textContent(b, ".card-body"));
        assertEquals(ann, textContent(b, ".card-author"));
        assertEquals(fileName, textContent(b, "a.card-file"));
        assertAbsent(b, "form.delete-card");
        Map<String, Object> download = fetch(b, b.attribute("a.card-file", "href"), "GET", null);
        assertEquals(200L, download.get("status"), "download: " + download);
        assertArrayEquals(bytes, Base64.getDecoder().decode((String) download.get("body")), "the attachment's bytes");
        assertEquals("application/octet-stream", download.get("type"));
        assertTrue(String.valueOf(download.get("disposition")).startsWith("attachment;"), "a download: " + download.get("disposition"));
        assertTrue(String.valueOf(download.get("disposition")).contains(fileName), "its name: " + download.get("disposition"));

        step("B may not delete A's card");
        String bToken = b.value("form.complete-card input[name=csrf_token]");
        assertNotNull(bToken, "B's forms carry a CSRF token");
        Map<String, Object> refused = fetch(b, prefix + "/cards/" + id + "/delete", "POST", "csrf_token=" + URLEncoder.encode(bToken, StandardCharsets.UTF_8));
        assertEquals(403L, refused.get("status"), "deleting someone else's card: " + refused);
        assertEquals(200L, fetch(b, prefix + "/cards/" + id, "GET", null).get("status"), "the card is still there");

        step("A deletes the card; it goes from B's board without a reload");
        b.open(home);
        b.awaitText("#live-status", "live", LIVE);
        bMarker = markPage(b);
        a.open(url("/cards/" + id));
        assertEquals(title, textContent(a, "h1.card-title"));
        navigate(a, "form.delete-card button[type=submit]");
        assertEquals(home.toString(), a.url(), "after deleting, the board");
        assertEquals(null, cardId(a, title), "gone from A's board");
        b.await("the card to leave B's board (live)", LIVE, () -> !b.present(item));
        assertEquals(bMarker, b.execute("return window.boardE2eMarker"), "B's page was not reloaded");
        assertEquals(markupId, cardId(b, markupTitle), "the other card stays");
        assertEquals(404L, fetch(b, prefix + "/cards/" + id, "GET", null).get("status"), "its page is gone");
        assertEquals(404L, fetch(b, prefix + "/cards/" + id + "/file", "GET", null).get("status"), "its file is gone");

        step("A deletes the other card while B looks at its page");
        navigate(b, markupItem + " a.card-title");
        b.awaitText("#live-status", "live", LIVE);
        assertEquals(Boolean.TRUE, b.property("#card-deleted", "hidden"));
        a.open(url("/cards/" + markupId));
        navigate(a, "form.delete-card button[type=submit]");
        b.await("B's card page to say it was deleted", LIVE, () -> Boolean.FALSE.equals(b.property("#card-deleted", "hidden")));
        assertEquals(Boolean.TRUE, b.property("form.complete-card", "hidden"), "its forms are put away");

        step("A logs out");
        navigate(a, "button#logout-button");
        assertEquals(home.toString(), a.url(), "after logging out, the board");
        assertPresent(a, "a#signup-link", "a#login-link");
        assertAbsent(a, "#user", "form#new-card", "form#logout-form");

        step("a new-card post without the session's CSRF token is refused");
        b.open(home);
        String cookies = b.cookies().stream().map(c -> c.get("name") + "=" + c.get("value")).collect(Collectors.joining("; "));
        assertFalse(cookies.isEmpty(), "B has a session cookie");
        String token = b.value("form#new-card input[name=csrf_token]");
        String forged = "Forged " + run;
        HttpResponse<String> anonymous = postCard(null, null, forged);
        assertEquals(403, anonymous.statusCode(), "without a session: " + anonymous.body());
        HttpResponse<String> missing = postCard(cookies, null, forged);
        assertEquals(403, missing.statusCode(), "B's session, no token: " + missing.body());
        HttpResponse<String> wrong = postCard(cookies, token.substring(1) + "x", forged);
        assertEquals(403, wrong.statusCode(), "B's session, a wrong token: " + wrong.body());
        assertFalse(get("/", cookies).body().contains(forged), "no card was made");
        String fair = "Over HTTP " + run;
        HttpResponse<String> taken = postCard(cookies, token, fair);
        assertEquals(303, taken.statusCode(), "B's session and token: " + taken.body());
        assertEquals(home, home.resolve(taken.headers().firstValue("Location").orElse("")), "sent to the board");
        assertTrue(get("/", cookies).body().contains(fair), "the card was made");

        step("the accounts are in the database under BOARD_DATA");
        assertEquals(List.of(ann, bob), sqlite("select username from board_user where username in (?, ?) order by username", ann, bob));

        step("what the deployment adds");
        afterStory();
    }

    /** Checks of a deployment's own, after the story (its servers still run). */
    protected void afterStory() throws Exception {
    }

    // ---- browser helpers (candidates for the harness's WebDriver)

    private static String markPage(WebDriver w) throws Exception {
        String marker = UUID.randomUUID().toString();
        w.execute("window.boardE2eMarker = arguments[0];", marker);
        return marker;
    }

    /** Clicks {@code css} and waits until a new document has loaded in its place. */
    private static void navigate(WebDriver w, String css) throws Exception {
        String page = UUID.randomUUID().toString();
        w.execute("window.boardE2ePage = arguments[0];", page);
        w.click(css);
        w.await("a new page after clicking " + css, () -> w.execute(
                "return document.readyState === 'complete' && window.boardE2ePage !== arguments[0];", page));
    }

    /** The data-id of the card in ul#cards whose title is exactly {@code title}, or null. */
    private static String cardId(WebDriver w, String title) throws Exception {
        return (String) w.execute("""
                const li = [...document.querySelectorAll('ul#cards > li.card')]
                    .find(li => li.querySelector('a.card-title')?.textContent === arguments[0]);
                return li ? li.dataset.id : null;""", title);
    }

    private static String cardIdAt(WebDriver w, int index) throws Exception {
        return (String) w.execute("return document.querySelectorAll('ul#cards > li.card')[arguments[0]]?.dataset.id ?? null;", index);
    }

    private static String textContent(WebDriver w, String css) throws Exception {
        return (String) w.executeOn(css, "return arguments[0].textContent.trim();");
    }

    private static String classes(WebDriver w, String css) throws Exception {
        return (String) w.executeOn(css, "return arguments[0].className;");
    }

    private static void assertPresent(WebDriver w, String... selectors) throws Exception {
        for (String s : selectors) assertTrue(w.present(s), s + " is on " + w.url());
    }

    private static void assertAbsent(WebDriver w, String... selectors) throws Exception {
        for (String s : selectors) assertFalse(w.present(s), s + " is not on " + w.url());
    }

    /** The title is the text of the card's link, and nothing in the list became an element. */
    private static void assertShownAsText(WebDriver w, String item, String title) throws Exception {
        assertEquals(title, textContent(w, item + " a.card-title"));
        assertEquals(0L, w.execute("return document.querySelectorAll('ul#cards script, ul#cards b, ul#cards img').length"),
                "no markup from a title in the list");
        assertEquals(null, w.execute("return window.boardInjected === undefined ? null : window.boardInjected"));
    }

    /** Every link, form, script and stylesheet of the page points into the board's mount point. */
    private void assertLinksUnderPrefix(WebDriver w) throws Exception {
        Object outside = w.execute("""
                const prefix = arguments[0], bad = [];
                for (const e of document.querySelectorAll('a[href], form[action], link[rel=stylesheet], script[src]')) {
                  const u = new URL(e.getAttribute('href') ?? e.getAttribute('action') ?? e.getAttribute('src'), location.href);
                  if (u.origin !== location.origin || !u.pathname.startsWith(prefix + '/')) bad.push(e.outerHTML);
                }
                return bad;""", prefix);
        assertEquals(List.of(), outside, "links outside " + prefix + "/ on " + w.url());
    }

    /** {@code fetch} in the page, with its cookies: status, content type and disposition, the body in base64. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> fetch(WebDriver w, String url, String method, String form) throws Exception {
        return (Map<String, Object>) w.executeAsync("""
                const [url, method, form, done] = arguments;
                const init = { method, credentials: 'same-origin', redirect: 'manual' };
                if (form !== null) {
                  init.body = form;
                  init.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
                }
                fetch(url, init).then(async r => {
                  const bytes = new Uint8Array(await r.arrayBuffer());
                  let s = '';
                  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
                  done({ status: r.status, type: r.headers.get('Content-Type'),
                         disposition: r.headers.get('Content-Disposition'), body: btoa(s) });
                }).catch(e => done({ status: -1, error: String(e) }));""", url, method, form);
    }

    // ---- HTTP helpers

    /** POST /cards as the new-card form does (multipart, the token first when given), no redirects followed. */
    private HttpResponse<String> postCard(String cookies, String token, String title) throws Exception {
        String boundary = "----board-e2e-" + UUID.randomUUID();
        StringBuilder sb = new StringBuilder();
        if (token != null) part(sb, boundary, "csrf_token", token);
        part(sb, boundary, "title", title);
        part(sb, boundary, "body", "posted by the test");
        sb.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"\"\r\n")
                .append("Content-Type: application/octet-stream\r\n\r\n\r\n");
        sb.append("--").append(boundary).append("--\r\n");
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url("/cards"))).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(sb.toString(), StandardCharsets.UTF_8));
        if (cookies != null) r.header("Cookie", cookies);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void part(StringBuilder sb, String boundary, String name, String value) {
        sb.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
                .append(value).append("\r\n");
    }

    private HttpResponse<String> get(String path, String cookies) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(15)).GET();
        if (cookies != null) r.header("Cookie", cookies);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An absolute URL of a path of the board ({@code "/cards/3"}). */
    protected String url(String path) {
        return home.resolve(prefix + path).toString();
    }

    // ---- other helpers

    private List<String> sqlite(String query, String... args) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database()); PreparedStatement s = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) s.setString(i + 1, args[i]);
            List<String> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) rows.add(r.getString(1));
            }
            return rows;
        }
    }

    /** A small file with every byte value in it, and some text. */
    private static byte[] attachment(String run) {
        byte[] text = ("flight plan " + run + "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[text.length + 256 + 1500];
        System.arraycopy(text, 0, bytes, 0, text.length);
        for (int i = 0; i < 256; i++) bytes[text.length + i] = (byte) i;
        Random r = new Random(run.hashCode());
        for (int i = text.length + 256; i < bytes.length; i++) bytes[i] = (byte) r.nextInt(256);
        return bytes;
    }

    protected static void awaitFile(Path file, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.isRegularFile(file)) {
            if (System.nanoTime() > deadline) throw new AssertionError("the board did not create " + file + " within " + timeout);
            Thread.sleep(100);
        }
    }

    private void step(String what) {
        step = what;
        note("step: " + what);
    }

    protected final void note(String what) {
        System.out.println("[" + getClass().getSimpleName() + "] " + what);
    }

    private static long millis(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Saves what both browsers show and the servers' logs; returns the failure with their paths. */
    private AssertionError report(Throwable t, WebDriver a, WebDriver b) {
        Path dir = reports();
        List<String> saved = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (var browser : List.of(Map.entry("A", a), Map.entry("B", b))) {
                String name = "browser-" + browser.getKey();
                try {
                    saved.add(browser.getValue().screenshot(dir.resolve(name + ".png")).toString());
                } catch (Exception e) {
                    saved.add(name + ".png: " + e.getMessage());
                }
                try {
                    Path html = dir.resolve(name + ".html");
                    Files.writeString(html, "<!-- " + browser.getValue().url() + " -->\n" + browser.getValue().source());
                    saved.add(html.toString());
                } catch (Exception e) {
                    saved.add(name + ".html: " + e.getMessage());
                }
            }
            Path logs = Files.writeString(dir.resolve("server.log"), settledServerLogs());
            saved.add(logs.toString());
        } catch (Exception e) {
            saved.add("(" + dir + ": " + e + ")");
        }
        AssertionError e = new AssertionError("at the step '" + step + "' against " + home + ": " + t.getMessage()
                + "\nsaved:\n  " + String.join("\n  ", saved), t);
        return e;
    }

    /** Where the screenshots, page sources and server logs go: target/e2e/CLASS/ (emptied before each run). */
    private Path reports() {
        return Path.of("target", "e2e", getClass().getSimpleName()).toAbsolutePath();
    }

    /** The servers' logs once the last lines are out (the board's access log writes lines in batches, every 0.2 s). */
    private String settledServerLogs() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return serverLogs();
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
