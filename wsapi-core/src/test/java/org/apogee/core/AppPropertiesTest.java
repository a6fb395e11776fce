package org.apogee.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.apogee.core.AppProperties.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppPropertiesTest {

    @Test
    void readsEveryKeyWithItsType(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("apogee.properties");
        Files.writeString(file, """
                # the sample
                target = app/board.lua
                lapps=app/lapps.json
                instances=4
                queue-timeout=2.5
                max-body=1024
                reload=TRUE
                debug=false
                allow-java=true
                redis=
                host=0.0.0.0
                port=9000
                server=Jetty
                listen=unix:/tmp/a.sock
                mapping=/app/*
                """);
        assertTrue(AppProperties.isAppFolder(dir));
        AppProperties p = AppProperties.load(file);
        assertEquals(file.toString(), p.source());
        assertEquals(Key.values().length, p.keys().size());
        Path base = dir.toAbsolutePath().normalize();
        assertEquals(Optional.of(base.resolve("app/board.lua")), p.value(Key.TARGET));
        assertEquals(Optional.of(base.resolve("app/lapps.json")), p.path(Key.LAPPS));
        assertEquals(Optional.of("app/board.lua"), p.text(Key.TARGET));
        assertEquals(Optional.of(4), p.value(Key.INSTANCES));
        assertEquals(Optional.of(2.5), p.value(Key.QUEUE_TIMEOUT));
        assertEquals(Optional.of(1024L), p.value(Key.MAX_BODY));
        assertEquals(Optional.of(true), p.value(Key.RELOAD));
        assertEquals(Optional.of(false), p.value(Key.DEBUG));
        assertEquals(Optional.of(""), p.value(Key.REDIS));
        assertEquals(Optional.of(9000), p.value(Key.PORT));
        assertEquals(Optional.of("jetty"), p.value(Key.SERVER));
        assertEquals(Optional.of("unix:/tmp/a.sock"), p.value(Key.LISTEN));

        HostConfig c = p.applyTo(HostConfig.of(dir));
        assertEquals(4, c.instances());
        assertEquals(Duration.ofMillis(2500), c.acquireTimeout());
        assertEquals(1024, c.maxBodyBytes());
        assertTrue(c.reload());
        assertFalse(c.debug());
        assertTrue(c.lua().allowJava());
    }

    @Test
    void unsetKeysLeaveTheConfigAlone(@TempDir Path dir) throws Exception {
        AppProperties p = AppProperties.read(new ByteArrayInputStream("target=WEB-INF/app\n".getBytes(StandardCharsets.UTF_8)),
                "/WEB-INF/apogee.properties");
        assertEquals(Optional.of(Path.of("WEB-INF/app")), p.path(Key.TARGET), "no base folder: kept as written");
        assertTrue(p.value(Key.INSTANCES).isEmpty());
        HostConfig before = HostConfig.of(dir).withInstances(3);
        assertEquals(before, p.applyTo(before));
        assertTrue(AppProperties.empty().keys().isEmpty());
        assertFalse(AppProperties.isAppFolder(dir));
    }

    @Test
    void laterSettingsWin() {
        AppProperties file = AppProperties.of(Map.of("instances", "2", "debug", "true"), "f", null);
        AppProperties init = AppProperties.of(Map.of("instances", "5"), "init parameters", null);
        AppProperties both = file.overriddenBy(init);
        assertEquals(Optional.of(5), both.value(Key.INSTANCES));
        assertEquals(Optional.of(true), both.value(Key.DEBUG));
        assertEquals("f", both.source());
    }

    @Test
    void unknownKeysAndBadValuesNameTheFileAndTheKey() {
        assertProblem(Map.of("prot", "80"), "app/apogee.properties: unknown key 'prot' (known: target, lapps, instances,");
        assertProblem(Map.of("instances", "four"), "app/apogee.properties: instances: expected a whole number of at least 1, got 'four'");
        assertProblem(Map.of("instances", "0"), "instances: expected a whole number of at least 1, got '0'");
        assertProblem(Map.of("queue-timeout", "-1"), "queue-timeout: expected seconds (a number, 0 or more), got '-1'");
        assertProblem(Map.of("max-body", "1M"), "max-body: expected a number of bytes");
        assertProblem(Map.of("reload", "yes"), "reload: expected true or false, got 'yes'");
        assertProblem(Map.of("port", "70000"), "port: expected a port between 0 and 65535, got '70000'");
        assertProblem(Map.of("server", "tomcat"), "server: expected undertow or jetty, got 'tomcat'");
        assertProblem(Map.of("target", " "), "target: must not be empty");
    }

    private static void assertProblem(Map<String, String> values, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AppProperties.of(values, "app/apogee.properties", Path.of("app")));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().startsWith("app/apogee.properties: "), e.getMessage());
    }
}
