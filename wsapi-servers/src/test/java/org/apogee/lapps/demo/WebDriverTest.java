package org.apogee.lapps.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.server.undertow.UndertowServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The browser harness itself: two headless Chromiums at once filling, uploading and submitting a form. */
class WebDriverTest {

    @Test
    void twoBrowsersFillAndSubmitAFormIndependently(@TempDir Path dir) throws Exception {
        Path app = Path.of(WebDriverTest.class.getResource("/webdriver/form.lua").toURI());
        Path file = Files.writeString(dir.resolve("a.txt"), "file contents");
        UndertowServer server = UndertowServer.start(new WsapiHost(HostConfig.of(app).withInstances(2)), "127.0.0.1", 0);
        String base = "http://127.0.0.1:" + server.port();
        try (WebDriver ann = WebDriver.start(); WebDriver bob = WebDriver.start()) {
            ann.open(base + "/?user=ann");
            bob.open(base + "/?user=bob");
            ann.open(base + "/");
            bob.open(base + "/");
            assertEquals("ann", ann.text("#who"), "each browser has its own cookies");
            assertEquals("bob", bob.text("#who"));
            assertTrue(bob.cookies().stream().anyMatch(c -> c.get("name").equals("user") && c.get("value").equals("bob")), bob.cookies().toString());
            assertEquals("Form", ann.title());
            assertEquals(List.of("one", "two"), ann.texts("#items li"));
            assertEquals(2, ann.count("#items li"));
            assertFalse(ann.present("#nothing"));
            WebDriver.Failure missing = assertThrows(WebDriver.Failure.class, () -> ann.text("#nothing"));
            assertEquals("no such element", missing.error());

            ann.fill("#title", "New title");
            assertEquals("New title", ann.value("#title"));
            assertEquals("old", ann.attribute("#title", "value"), "the attribute keeps the HTML's value");
            ann.type("#notes", "line one");
            ann.select("#prio", "High");
            assertEquals("3", ann.value("#prio"));
            ann.upload("#file", file);
            ann.submit("#title");
            ann.awaitUrl("/sent$");
            assertEquals("New title", ann.awaitText("#title", "New.*"));
            assertEquals("line one", ann.text("#notes"));
            assertEquals("3", ann.text("#prio"));
            assertEquals("a.txt 13 file contents", ann.text("#file"));
            assertTrue(ann.awaitPageText("file contents").contains("New title"));

            bob.click("#later");
            bob.awaitText("#late", "arrived");
            bob.click("#ask");
            assertEquals("Sure?", bob.alertText());
            bob.dismissAlert();
            bob.awaitText("#answer", "no");
            assertEquals(4L, bob.execute("return arguments[0] + arguments[1]", 2, 2));
            assertEquals(Map.of("a", List.of(1L, "x")), bob.execute("return { a: [1, arguments[0]] }", "x"));
            assertEquals("LI", bob.executeOn("#items li", "return arguments[0].tagName"));
            Object fetched = bob.executeAsync("fetch('/').then(r => r.status).then(arguments[arguments.length - 1])");
            assertEquals(200L, fetched);
            bob.execute("document.getElementById('items').innerHTML += '<li>three</li>'");
            bob.awaitCount("#items li", 3);
            bob.execute("document.getElementById('items').remove()");
            bob.awaitAbsent("#items");
            AssertionError late = assertThrows(AssertionError.class,
                    () -> bob.timeout(Duration.ofMillis(300)).awaitPresent("#never"));
            assertTrue(late.getMessage().contains("#never"), late.getMessage());
            assertTrue(Files.size(bob.screenshot(dir.resolve("bob.png"))) > 0);
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
