package org.apogee.lapps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apogee.lapps.json.Json;
import org.apogee.lapps.json.JsonText;

/**
 * A parsed {@code lapps.json}: where the services live and how each one runs. The file is merged
 * over the built-in defaults key by key, so a file needs only what differs.
 *
 * <p>Relative {@code directories.applications} paths resolve against {@code LAPPS_HOME} when that
 * is set; otherwise against the folder holding the file, or its parent when the folder has no such
 * directory (so {@code conf/lapps.json} next to {@code apps/} works).
 */
public final class LappsConfig {

    /** The two protocols of reactive services. */
    public enum Protocol {
        RAW("raw"), LAPPS("LAppS");

        final String configName;

        Protocol(String configName) {
            this.configName = configName;
        }
    }

    /**
     * One entry of {@code services}. Keys Apogee adds to the original format: {@code origins}
     * (allowed {@code Origin} header values; empty allows all) and {@code subprotocols} (offered
     * in the handshake besides {@code proto_alias}).
     */
    public record Service(String name, boolean standalone, int instances, boolean autoStart, List<String> preload,
                          List<String> depends, String requestTarget, Protocol protocol, long maxInboundMessageSize,
                          Acl acl, Map<String, String> extraHeaders, String protoAlias, List<String> origins,
                          List<String> subprotocols) {}

    private static final String DEFAULTS = """
            {
              "directories": {"applications": "apps", "tmp": "tmp", "deploy": "deploy", "app_conf_dir": "etc", "workdir": "workdir"},
              "services": {"placeholder": {"standalone": true, "instances": 0, "auto_start": false}}
            }""";

    private final Path home;
    private final Path appsDir;
    private final Map<String, Service> services;
    private final Map<String, String> problems;
    private final String redis;

    private LappsConfig(Path home, Path appsDir, Map<String, Service> services, Map<String, String> problems, String redis) {
        this.home = home;
        this.appsDir = appsDir;
        this.services = services;
        this.problems = problems;
        this.redis = redis;
    }

    /** Reads a lapps.json file. Throws IOException when unreadable, IllegalArgumentException when not valid JSON. */
    public static LappsConfig load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toAbsolutePath().normalize().getParent(),
                System.getenv("LAPPS_HOME"));
    }

    static LappsConfig parse(String text, Path configDir, String lappsHome) {
        Object parsed;
        try {
            parsed = JsonText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lapps.json: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Json.JsonObject file)) throw new IllegalArgumentException("lapps.json: the top level must be an object");
        Json.JsonObject merged = (Json.JsonObject) JsonText.parse(DEFAULTS);
        merge(merged, file);

        Json.JsonObject dirs = (Json.JsonObject) merged.get("directories");
        String applications = string(dirs.get("applications"), "directories.applications");
        Path home;
        Path apps;
        if (lappsHome != null && !lappsHome.isEmpty()) {
            home = Path.of(lappsHome).toAbsolutePath().normalize();
            apps = home.resolve(applications).normalize();
        } else {
            home = configDir;
            apps = configDir.resolve(applications).normalize();
            if (!Files.isDirectory(apps) && configDir.getParent() != null
                    && Files.isDirectory(configDir.getParent().resolve(applications))) {
                home = configDir.getParent();
                apps = home.resolve(applications).normalize();
            }
        }

        Map<String, Service> services = new TreeMap<>();
        Map<String, String> problems = new TreeMap<>();
        if (!(merged.get("services") instanceof Json.JsonObject svcs)) throw new IllegalArgumentException("lapps.json: services must be an object");
        for (Map.Entry<String, Object> e : svcs.entrySet()) {
            try {
                services.put(e.getKey(), service(e.getKey(), e.getValue()));
            } catch (IllegalArgumentException bad) {
                problems.put(e.getKey(), bad.getMessage());
            }
        }
        Object redis = merged.get("redis");
        return new LappsConfig(home, apps, Collections.unmodifiableMap(services), Collections.unmodifiableMap(problems),
                redis instanceof String s && !s.isEmpty() ? s : null);
    }

    private static void merge(Json.JsonObject into, Json.JsonObject from) {
        for (Map.Entry<String, Object> e : from.entrySet()) {
            if (e.getValue() instanceof Json.JsonObject sub && into.get(e.getKey()) instanceof Json.JsonObject target) {
                merge(target, sub);
            } else {
                into.put(e.getKey(), e.getValue());
            }
        }
    }

    private static Service service(String name, Object value) {
        if (!(value instanceof Json.JsonObject o)) throw new IllegalArgumentException("service \"" + name + "\" must be an object");
        String where = "services." + name;
        if (!o.containsKey("standalone") && o.containsKey("internal")) {
            throw new IllegalArgumentException(where + ": \"internal\" is no longer read; say \"standalone\": true|false");
        }
        boolean standalone = bool(o.get("standalone"), where + ".standalone");
        Object inst = o.get("instances");
        if (!(inst instanceof Long n) || n < 0 || n > 10_000) {
            throw new IllegalArgumentException(where + ".instances must be a whole number from 0 to 10000, found " + show(inst));
        }
        boolean autoStart = bool(o.get("auto_start"), where + ".auto_start");
        List<String> preload = strings(o.get("preload"), where + ".preload");
        List<String> depends = strings(o.get("depends"), where + ".depends");
        List<String> origins = strings(o.get("origins"), where + ".origins");
        List<String> subprotocols = strings(o.get("subprotocols"), where + ".subprotocols");
        String target = null;
        Protocol protocol = null;
        long maxSize = 0;
        Acl acl = Acl.ALLOW_ALL;
        Map<String, String> extra = Map.of();
        String alias = null;
        if (!standalone) {
            target = string(o.get("request_target"), where + ".request_target");
            String p = string(o.get("protocol"), where + ".protocol");
            protocol = switch (p) {
                case "raw" -> Protocol.RAW;
                case "LAppS" -> Protocol.LAPPS;
                default -> throw new IllegalArgumentException(where + ".protocol must be \"raw\" or \"LAppS\" (exactly), found \"" + p + "\"");
            };
            Object size = o.get("max_inbound_message_size");
            if (!(size instanceof Long sz) || sz <= 0) {
                throw new IllegalArgumentException(where + ".max_inbound_message_size must be a positive number of bytes, found " + show(size));
            }
            maxSize = (Long) size;
            if (o.get("acl") instanceof Json.JsonObject a) {
                Object policy = a.getOrDefault("policy", "allow");
                acl = Acl.of(string(policy, where + ".acl.policy"), strings(a.get("exclude"), where + ".acl.exclude"));
            } else if (o.containsKey("acl") && o.get("acl") != Json.NULL) {
                throw new IllegalArgumentException(where + ".acl must be an object {\"policy\": ..., \"exclude\": [...]}");
            }
            if (o.get("extra_headers") instanceof Json.JsonObject h) {
                Map<String, String> m = new LinkedHashMap<>();
                for (Map.Entry<String, Object> he : h.entrySet()) {
                    m.put(he.getKey(), he.getValue() instanceof String s ? s : JsonText.encode(he.getValue()));
                }
                extra = Collections.unmodifiableMap(m);
            }
            if (o.get("proto_alias") instanceof String s && !s.isEmpty()) alias = s;
        }
        return new Service(name, standalone, (int) (long) (Long) inst, autoStart, preload, depends, target, protocol, maxSize,
                acl, extra, alias, origins, subprotocols);
    }

    private static String show(Object v) {
        return v == null ? "nothing" : JsonText.encode(v);
    }

    private static boolean bool(Object v, String where) {
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException(where + " must be true or false, found " + show(v));
    }

    private static String string(Object v, String where) {
        if (v instanceof String s) return s;
        throw new IllegalArgumentException(where + " must be a string, found " + show(v));
    }

    private static List<String> strings(Object v, String where) {
        if (v == null || v == Json.NULL) return List.of();
        if (!(v instanceof Json.JsonArray a)) throw new IllegalArgumentException(where + " must be an array of strings, found " + show(v));
        List<String> out = new ArrayList<>();
        for (Object e : a) out.add(string(e, where + "[]"));
        return List.copyOf(out);
    }

    /** LAPPS_HOME: the folder the applications directory is in, and the working directory of services. */
    public Path home() {
        return home;
    }

    /** Where service folders are: {@code <apps>/<name>/<name>.lua}. */
    public Path appsDir() {
        return appsDir;
    }

    /** Services that parsed, by name in sorted order. */
    public Map<String, Service> services() {
        return services;
    }

    /** Services that did not parse, with the reason. */
    public Map<String, String> problems() {
        return problems;
    }

    /** The Redis URL broadcasts are relayed through, or null for in-process broadcasts only. */
    public String redis() {
        return redis;
    }

    /** A copy with another Redis URL (null for none). */
    public LappsConfig withRedis(String url) {
        return new LappsConfig(home, appsDir, services, problems, url);
    }
}
