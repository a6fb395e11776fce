package org.apogee.orbit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.LuaValue;

/**
 * {@code luasql.postgres} and {@code orbit.model} against a real PostgreSQL server from Debian, which
 * the test starts on a free loopback port and stops again.
 */
@Timeout(300)
class PostgresLuaSqlTest {

    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    private LuaValue runScript(String file) throws Exception {
        Path dir = Path.of("src/test/lua-postgres").toAbsolutePath();
        LuaRuntime runtime = new LuaRuntime(new LuaRuntime.Options(dir, null, null, false, null,
                Map.of("PGHOST", "127.0.0.1", "PGPORT", String.valueOf(server.port), "PGUSER", PostgresServer.USER)));
        LuaState state = runtime.newState();
        state.set("PG_PORT", server.port);
        return state.run(Files.readString(dir.resolve(file)), "@" + file);
    }

    @Test
    void luasqlApi() throws Exception {
        LuaValue r = runScript("luasql_postgres.lua");
        assertEquals("ok", r.tojstring());
    }

    @Test
    void orbitModel() throws Exception {
        LuaValue r = runScript("model_postgres.lua");
        assertEquals("ok", r.tojstring());
    }

}
