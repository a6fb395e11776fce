package org.apogee.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Serves a plain file of a document root: content type by extension, Last-Modified, 304. */
final class StaticFiles {

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("xml", "application/xml"),
            Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"), Map.entry("avif", "image/avif"), Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"), Map.entry("ttf", "font/ttf"), Map.entry("otf", "font/otf"),
            Map.entry("pdf", "application/pdf"), Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"), Map.entry("wasm", "application/wasm"),
            Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"), Map.entry("mp3", "audio/mpeg"),
            Map.entry("ogg", "audio/ogg"), Map.entry("wav", "audio/wav"), Map.entry("csv", "text/csv; charset=utf-8"),
            Map.entry("md", "text/markdown; charset=utf-8"), Map.entry("map", "application/json"));

    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private StaticFiles() {}

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    static void serve(Path file, WsapiRequest req, ResponseSink sink) throws IOException {
        boolean head = req.method().equals("HEAD");
        if (!head && !req.method().equals("GET")) {
            byte[] body = ErrorPages.page(405, "Static files answer GET and HEAD only.", null);
            sink.start(405, "Method Not Allowed", List.of(new Header("Content-Type", "text/html; charset=utf-8"),
                    new Header("Allow", "GET, HEAD")), body.length, false);
            sink.write(body, 0, body.length);
            sink.finish();
            return;
        }
        Instant modified = Files.getLastModifiedTime(file).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String lastModified = HTTP_DATE.format(modified);
        List<Header> headers = new ArrayList<>(4);
        headers.add(new Header("Content-Type", contentType(file)));
        headers.add(new Header("Last-Modified", lastModified));
        if (notModified(req.header("If-Modified-Since"), modified)) {
            sink.start(304, "Not Modified", headers, -1, true);
            sink.finish();
            return;
        }
        long size = Files.size(file);
        sink.start(200, "OK", headers, size, head);
        if (!head) {
            byte[] buf = new byte[(int) Math.min(64 * 1024, Math.max(1, size))];
            try (InputStream in = Files.newInputStream(file)) {
                int r;
                while ((r = in.read(buf)) > 0) sink.write(buf, 0, r);
            }
        }
        sink.finish();
    }

    private static boolean notModified(String since, Instant modified) {
        if (since == null) return false;
        try {
            return !modified.isAfter(ZonedDateTime.parse(since, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
