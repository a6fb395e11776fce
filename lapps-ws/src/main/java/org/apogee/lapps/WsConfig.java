package org.apogee.lapps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apogee.lapps.json.Json;
import org.apogee.lapps.json.JsonText;

/**
 * The TLS part of LAppS's {@code ws.json}: {@code tls}, {@code tls_server_version} and
 * {@code tls_certificates.{cert,key}}. The file is looked up beside {@code lapps.json} (its name
 * from {@code WS_CONFIG}, default {@code ws.json}); relative certificate paths resolve against its
 * folder. The other keys (listeners, workers, epoll tuning) have no meaning on the JVM servers.
 */
public record WsConfig(boolean tls, Integer tlsServerVersion, Path cert, Path key, Integer port) {

    /** ws.json beside {@code lappsJson}, or empty when there is none. */
    public static Optional<WsConfig> besides(Path lappsJson) throws IOException {
        String name = System.getenv().getOrDefault("WS_CONFIG", "ws.json");
        Path file = lappsJson.toAbsolutePath().normalize().resolveSibling(name);
        if (!Files.isRegularFile(file)) return Optional.empty();
        return Optional.of(parse(Files.readString(file, StandardCharsets.UTF_8), file.getParent()));
    }

    static WsConfig parse(String text, Path dir) {
        Object parsed;
        try {
            parsed = JsonText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ws.json: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Json.JsonObject ws)) throw new IllegalArgumentException("ws.json: the top level must be an object");
        boolean tls = Boolean.TRUE.equals(ws.get("tls"));
        Integer version = Json.isNumber(ws.get("tls_server_version")) ? (int) Json.toDouble(ws.get("tls_server_version")) : null;
        Integer port = Json.isNumber(ws.get("port")) ? (int) Json.toDouble(ws.get("port")) : null;
        Path cert = null, key = null;
        if (ws.get("tls_certificates") instanceof Json.JsonObject certs) {
            if (certs.get("cert") instanceof String c) cert = dir.resolve(c).normalize();
            if (certs.get("key") instanceof String k) key = dir.resolve(k).normalize();
        }
        if (tls && (cert == null || key == null)) {
            throw new IllegalArgumentException("ws.json: \"tls\" is true but tls_certificates.cert and tls_certificates.key are not both given");
        }
        return new WsConfig(tls, version, cert, key, port);
    }
}
