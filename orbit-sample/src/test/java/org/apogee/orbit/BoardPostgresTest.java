package org.apogee.orbit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecNodes;
import org.apogee.core.lua.LuaSpecs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Orbit Board specs (src/test/lua/board_spec.lua) again, with the board's database on a real
 * PostgreSQL server (BOARD_TEST_DATABASE) instead of SQLite: the same schema, migrations, blobs and
 * events on both.
 */
@Timeout(300)
class BoardPostgresTest {

    private static PostgresServer server;

    @TempDir
    static Path work;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @TestFactory
    Stream<DynamicTest> boardSpecsOnPostgres() throws Exception {
        LuaSpecNodes.copy(Path.of("src/test/lua"), work);
        Map<String, String> env = Map.of(
                "ORBIT_SAMPLE_APP", Path.of("app").toAbsolutePath().toString(),
                "BOARD_TEST_DATABASE", "postgres://" + PostgresServer.USER + "@127.0.0.1:" + server.port + "/postgres");
        LuaRuntime runtime = new LuaRuntime(new LuaRuntime.Options(null, null, null, false, null, env));
        List<LuaSpecs.Result> results = LuaSpecs.run(runtime, work.resolve("board_spec.lua"));
        assertFalse(results.isEmpty(), "board_spec.lua defines no tests");
        return results.stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            if (r.failed()) fail(r.message());
        }));
    }
}
