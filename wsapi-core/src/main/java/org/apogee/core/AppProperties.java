package org.apogee.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The settings of one application in {@code apogee.properties}: read by {@code apogee serve} and
 * {@code apogee fcgi} from an application folder (where they give the defaults of the command's
 * options) and by the servlet adapter from {@code /WEB-INF/apogee.properties}.
 *
 * <p>Keys are the long option names of {@code apogee serve} ({@link Key}). Every value is checked
 * when the file is read: an unknown key or a bad value is an {@link IllegalArgumentException}
 * whose message names the file and the key. Each reader uses the keys that mean something to it
 * and leaves the others alone. Relative paths ({@code target}, {@code lapps}) resolve against the
 * folder of the file, when there is one.
 */
public final class AppProperties {

    /** The file name in an application folder and in {@code WEB-INF}. */
    public static final String FILE_NAME = "apogee.properties";

    /** What a key takes. */
    private enum Kind { PATH, COUNT, SECONDS, BYTES, FLAG, PORT, SERVER, TEXT, TEXT_OR_EMPTY }

    /** Every key, by its name in the file. */
    public enum Key {
        /** App file or document root folder. */
        TARGET("target", Kind.PATH),
        /** A lapps.json whose WebSocket services run next to the apps. */
        LAPPS("lapps", Kind.PATH),
        /** Lua states per app. */
        INSTANCES("instances", Kind.COUNT),
        /** Seconds a request waits for a free state before a 503. */
        QUEUE_TIMEOUT("queue-timeout", Kind.SECONDS),
        /** Largest request body in bytes. */
        MAX_BODY("max-body", Kind.BYTES),
        RELOAD("reload", Kind.FLAG),
        DEBUG("debug", Kind.FLAG),
        ALLOW_JAVA("allow-java", Kind.FLAG),
        /** redis://host:port relaying LAppS broadcasts; empty turns off the one of lapps.json. */
        REDIS("redis", Kind.TEXT_OR_EMPTY),
        /** Address {@code apogee serve} binds. */
        HOST("host", Kind.TEXT),
        /** Port of {@code apogee serve}. */
        PORT("port", Kind.PORT),
        /** HTTP server library of {@code apogee serve}: undertow or jetty. */
        SERVER("server", Kind.SERVER),
        /** Address of {@code apogee fcgi}: HOST:PORT or unix:/path. */
        LISTEN("listen", Kind.TEXT),
        /** Servlet mapping of the servlet adapter in a WAR. */
        MAPPING("mapping", Kind.TEXT);

        private final String key;
        private final Kind kind;

        Key(String key, Kind kind) {
            this.key = key;
            this.kind = kind;
        }

        /** The name in the file (and the long option name, without {@code --}). */
        public String key() {
            return key;
        }

        public static Optional<Key> named(String name) {
            return Arrays.stream(values()).filter(k -> k.key.equals(name)).findFirst();
        }

        @Override
        public String toString() {
            return key;
        }
    }

    private static final AppProperties EMPTY = new AppProperties("(none)", null, new EnumMap<>(Key.class));

    private final String source;
    private final Path base;
    private final Map<Key, String> values;

    private AppProperties(String source, Path base, Map<Key, String> values) {
        this.source = source;
        this.base = base;
        this.values = values;
    }

    /** Whether {@code dir} is an application folder: a folder holding {@value #FILE_NAME}. */
    public static boolean isAppFolder(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(FILE_NAME));
    }

    /** Reads a file; relative paths in it resolve against its folder. */
    public static AppProperties load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Path dir = file.toAbsolutePath().normalize().getParent();
            return of(parse(in), file.toString(), dir);
        }
    }

    /** Reads a stream (e.g. a web application's resource); paths in it are kept as written. */
    public static AppProperties read(InputStream in, String source) throws IOException {
        return of(parse(in), source, null);
    }

    /**
     * Checks {@code values}. {@code source} names them in messages; {@code base} (may be null)
     * is the folder relative paths resolve against.
     */
    public static AppProperties of(Map<String, String> values, String source, Path base) {
        Map<Key, String> checked = new EnumMap<>(Key.class);
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            String name = e.getKey().trim();
            Key key = Key.named(name).orElseThrow(() -> new IllegalArgumentException(source + ": unknown key '" + name
                    + "' (known: " + Arrays.stream(Key.values()).map(Key::key).collect(Collectors.joining(", ")) + ")"));
            String value = e.getValue() == null ? "" : e.getValue().trim();
            check(source, key, value);
            checked.put(key, key.kind == Kind.SERVER ? value.toLowerCase(java.util.Locale.ROOT) : value);
        }
        return new AppProperties(source, base, checked);
    }

    /** No settings. */
    public static AppProperties empty() {
        return EMPTY;
    }

    private static Map<String, String> parse(InputStream in) throws IOException {
        Properties p = new Properties();
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p.stringPropertyNames().stream().collect(Collectors.toMap(n -> n, p::getProperty));
    }

    private static void check(String source, Key key, String value) {
        String problem = switch (key.kind) {
            case PATH, TEXT -> value.isEmpty() ? "must not be empty" : null;
            case TEXT_OR_EMPTY -> null;
            case COUNT -> {
                Long n = whole(value);
                yield n == null || n < 1 || n > Integer.MAX_VALUE ? "expected a whole number of at least 1" : null;
            }
            case BYTES -> {
                Long n = whole(value);
                yield n == null || n < 1 ? "expected a number of bytes (a whole number of at least 1)" : null;
            }
            case PORT -> {
                Long n = whole(value);
                yield n == null || n < 0 || n > 65535 ? "expected a port between 0 and 65535" : null;
            }
            case SECONDS -> {
                Double d = decimal(value);
                yield d == null || d < 0 || d.isInfinite() || d.isNaN() ? "expected seconds (a number, 0 or more)" : null;
            }
            case FLAG -> value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false") ? null : "expected true or false";
            case SERVER -> value.equalsIgnoreCase("undertow") || value.equalsIgnoreCase("jetty") ? null : "expected undertow or jetty";
        };
        if (problem != null) throw new IllegalArgumentException(source + ": " + key + ": " + problem + ", got '" + value + "'");
    }

    private static Long whole(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double decimal(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** These settings, with those of {@code other} in place of the same keys. */
    public AppProperties overriddenBy(AppProperties other) {
        Map<Key, String> merged = new EnumMap<>(Key.class);
        merged.putAll(values);
        merged.putAll(other.values);
        return new AppProperties(source, base, merged);
    }

    /** Where the settings come from (a file name), as messages show it. */
    public String source() {
        return source;
    }

    /** The folder relative paths resolve against; null when they are kept as written. */
    public Path base() {
        return base;
    }

    public boolean has(Key key) {
        return values.containsKey(key);
    }

    /** The keys that are set. */
    public Set<Key> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** The value as written (trimmed). */
    public Optional<String> text(Key key) {
        return Optional.ofNullable(values.get(key));
    }

    /** A path setting, resolved against {@link #base()} when there is one. */
    public Optional<Path> path(Key key) {
        return text(key).map(v -> base == null ? Path.of(v) : base.resolve(v).normalize());
    }

    /**
     * The value as the matching command-line option holds it: a {@link Path} (target, lapps), an
     * {@link Integer} (instances, port), a {@link Double} (queue-timeout, seconds), a {@link Long}
     * (max-body), a {@link Boolean} (reload, debug, allow-java) or a {@link String}.
     */
    public Optional<Object> value(Key key) {
        if (!has(key)) return Optional.empty();
        String v = values.get(key);
        return Optional.of(switch (key.kind) {
            case PATH -> path(key).orElseThrow();
            case COUNT, PORT -> Integer.parseInt(v);
            case SECONDS -> Double.parseDouble(v);
            case BYTES -> Long.parseLong(v);
            case FLAG -> Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT));
            case SERVER, TEXT, TEXT_OR_EMPTY -> v;
        });
    }

    /** {@code config} with the settings this file gives: instances, queue-timeout, max-body, reload, debug, allow-java. */
    public HostConfig applyTo(HostConfig config) {
        if (has(Key.INSTANCES)) config = config.withInstances((Integer) value(Key.INSTANCES).orElseThrow());
        if (has(Key.QUEUE_TIMEOUT)) {
            config = config.withAcquireTimeout(Duration.ofMillis((long) ((Double) value(Key.QUEUE_TIMEOUT).orElseThrow() * 1000)));
        }
        if (has(Key.MAX_BODY)) config = config.withMaxBodyBytes((Long) value(Key.MAX_BODY).orElseThrow());
        if (has(Key.RELOAD)) config = config.withReload((Boolean) value(Key.RELOAD).orElseThrow());
        if (has(Key.DEBUG)) config = config.withDebug((Boolean) value(Key.DEBUG).orElseThrow());
        if (has(Key.ALLOW_JAVA)) config = config.withLua(config.lua().withAllowJava((Boolean) value(Key.ALLOW_JAVA).orElseThrow()));
        return config;
    }

    @Override
    public String toString() {
        return source + " " + values;
    }
}
