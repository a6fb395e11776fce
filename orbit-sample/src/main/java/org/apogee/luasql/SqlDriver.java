package org.apogee.luasql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** The databases LuaSQL reaches through JDBC, and how {@code env:connect(...)} arguments map to each. */
enum SqlDriver {

    /**
     * {@code env:connect(filename[, busy_timeout_ms])}. The file name resolves against the state's working
     * directory; the file is created when missing; {@code ":memory:"} is a private in-memory database.
     */
    SQLITE3("sqlite3", "SQLite3") {
        @Override Connection connect(LuaState state, Varargs args) throws SQLException {
            String name = args.checkjstring(2);
            String url;
            if (name.equals(":memory:") || name.isEmpty()) {
                url = "jdbc:sqlite::memory:";
            } else if (name.startsWith("jdbc:sqlite:")) {
                url = name;
            } else {
                Path file = state.resolve(name);
                url = "jdbc:sqlite:" + file;
            }
            Properties props = new Properties();
            if (args.isnumber(3)) props.setProperty("busy_timeout", String.valueOf(args.checkint(3)));
            props.setProperty("foreign_keys", "true");
            Connection c = new org.sqlite.JDBC().connect(url, props);
            if (c == null) throw new SQLException("cannot open " + name);
            return c;
        }

        @Override String lastIdQuery() {
            return "select last_insert_rowid()";
        }
    },

    /**
     * {@code env:connect(dbname, user, password, host, port)} as LuaSQL's; {@code dbname} may also be a
     * libpq conninfo string ({@code "host=... dbname=..."}), a {@code postgresql://} URL or a JDBC URL.
     * Unset parts come from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, else localhost:5432.
     */
    POSTGRES("postgres", "PostgreSQL") {
        @Override Connection connect(LuaState state, Varargs args) throws SQLException {
            Map<String, String> env = state.runtime().options().environment();
            String source = args.optjstring(2, "");
            String user = optString(args, 3), password = optString(args, 4), host = optString(args, 5);
            String port = args.arg(6).isnil() ? null : args.arg(6).tojstring();
            String dbname = source;
            Properties props = new Properties();
            String url = null;
            if (source.startsWith("jdbc:")) {
                url = source;
            } else if (source.startsWith("postgres://") || source.startsWith("postgresql://")) {
                java.net.URI u = java.net.URI.create(source);
                if (u.getUserInfo() != null) {
                    String[] ui = u.getUserInfo().split(":", 2);
                    if (user == null) user = ui[0];
                    if (password == null && ui.length > 1) password = ui[1];
                }
                if (host == null && u.getHost() != null) host = u.getHost();
                if (port == null && u.getPort() > 0) port = String.valueOf(u.getPort());
                dbname = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
                if (u.getRawQuery() != null) url = "?" + u.getRawQuery();
            } else if (source.contains("=")) {
                dbname = "";
                for (String part : source.trim().split("\\s+")) {
                    String[] kv = part.split("=", 2);
                    if (kv.length < 2) continue;
                    String v = kv[1].replaceAll("^'(.*)'$", "$1");
                    switch (kv[0]) {
                        case "host", "hostaddr" -> { if (host == null) host = v; }
                        case "port" -> { if (port == null) port = v; }
                        case "dbname" -> dbname = v;
                        case "user" -> { if (user == null) user = v; }
                        case "password" -> { if (password == null) password = v; }
                        default -> props.setProperty(kv[0], v);
                    }
                }
            }
            if (url == null || url.startsWith("?")) {
                if (host == null || host.startsWith("/")) host = env.getOrDefault("PGHOST", "localhost");
                if (host.startsWith("/")) host = "localhost"; // JDBC has no Unix sockets
                if (port == null) port = env.getOrDefault("PGPORT", "5432");
                if (dbname.isEmpty()) dbname = env.getOrDefault("PGDATABASE", user == null ? env.getOrDefault("PGUSER", "") : user);
                String query = url == null ? "" : url;
                url = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + dbname + query;
            }
            if (user == null) user = env.get("PGUSER");
            if (password == null) password = env.get("PGPASSWORD");
            if (user != null) props.setProperty("user", user);
            if (password != null) props.setProperty("password", password);
            // bound strings take the type the query needs ("id = ?" with "3"), as text literals would
            props.putIfAbsent("stringtype", "unspecified");
            Connection c = new org.postgresql.Driver().connect(url, props);
            if (c == null) throw new SQLException("not a PostgreSQL URL: " + url);
            return c;
        }

        @Override String lastIdQuery() {
            return "select lastval()";
        }
    };

    final String luaName;
    final String displayName;

    SqlDriver(String luaName, String displayName) {
        this.luaName = luaName;
        this.displayName = displayName;
    }

    /** Opens a connection from the arguments of {@code env:connect} (argument 1 is the environment). */
    abstract Connection connect(LuaState state, Varargs args) throws SQLException;

    /** A query whose one value is the last id generated on this connection. */
    abstract String lastIdQuery();

    private static String optString(Varargs args, int i) {
        LuaValue v = args.arg(i);
        return v.isnil() ? null : v.tojstring();
    }
}
