package org.apogee.orbit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.apogee.server.tck.ApogeeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the build makes of the sample: the WAR (libraries without any server, the WEB-INF settings,
 * the app folder without its run-time data) and ./apogee with Orbit and LuaSQL on its class path.
 */
class SamplePackagingIT {

    private static final Path WAR = Path.of(System.getProperty("war.file", "target/orbit-sample.war"));

    @Test
    void theWarCarriesTheAppAndItsLibrariesButNoServer() throws Exception {
        assertTrue(Files.isRegularFile(WAR), "built: " + WAR);
        try (ZipFile war = new ZipFile(WAR.toFile())) {
            List<String> names = war.stream().map(ZipEntry::getName).toList();
            List<String> libs = names.stream().filter(n -> n.startsWith("WEB-INF/lib/")).map(n -> n.substring(12)).toList();
            for (String needed : List.of("orbit-sample-", "wsapi-core-", "wsapi-servers-", "wsapi-filters-", "lapps-ws-", "apogee-luaj-",
                    "sqlite-jdbc-", "postgresql-", "jackson-dataformat-cbor-")) {
                assertTrue(libs.stream().anyMatch(l -> l.startsWith(needed)), needed + " in " + libs);
            }
            for (String server : List.of("undertow", "jetty", "xnio", "picocli", "jakarta.servlet-api", "jakarta.websocket",
                    "junit", "slf4j-simple", "tomcat",
                    "luaj-jse" /* apogee-luaj carries LuaJ's classes: a second org.luaj.vm2.LuaDouble would depend on order */,
                    "asm")) {
                assertFalse(libs.stream().anyMatch(l -> l.contains(server)), server + " stays out: " + libs);
            }
            Properties props = new Properties();
            props.load(new java.io.StringReader(new String(war.getInputStream(war.getEntry("WEB-INF/apogee.properties")).readAllBytes(),
                    StandardCharsets.UTF_8)));
            assertEquals("WEB-INF/app/board.lua", props.getProperty("target"));
            assertEquals("WEB-INF/app/lapps.json", props.getProperty("lapps"));
            assertFalse(names.stream().anyMatch(n -> n.startsWith("WEB-INF/app/data/")), "run-time data stays out");
            assertTrue(names.contains("WEB-INF/app/board.lua"), "app/ becomes WEB-INF/app/");
        }
    }

    @Test
    void theApogeeScriptRequiresOrbitAndLuaSqlWithoutWarnings(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("check.lua"), """
                local orbit = require "orbit"
                local sqlite = require "luasql.sqlite3"
                local env = sqlite.sqlite3()
                local con = assert(env:connect(":memory:"))
                assert(con:execute("create table t (x integer)"))
                assert(con:execute("insert into t values (42)"))
                local cur = con:execute("select x from t")
                print("orbit " .. type(orbit.new) .. ", sqlite " .. cur:fetch())
                require "luasql.postgres"
                print("done")
                """);
        try (ApogeeProcess lua = ApogeeProcess.command("lua", dir.resolve("check.lua").toString()).directory(dir).start()) {
            assertEquals(0, lua.awaitExit(Duration.ofSeconds(120)), lua.output());
            // the script builds first when a source is newer than its jars (a module built on its own)
            String output = lua.output().replaceFirst("^apogee: building \\(mvn package\\)[^\n]*\n", "");
            assertEquals("orbit function, sqlite 42\ndone\n", output, "nothing else, no native-access warning");
        }
    }
}
