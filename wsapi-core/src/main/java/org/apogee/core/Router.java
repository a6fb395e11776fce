package org.apogee.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Maps a request path to what serves it.
 *
 * <p>App mode (target is a file): every path goes to that app, mounted at the server's mount path.
 * Document-root mode (target is a folder), as WSAPI's launcher does: {@code /dir/app.lua/rest} runs
 * {@code dir/app.lua} with {@code SCRIPT_NAME=/dir/app.lua}, {@code PATH_INFO=/rest}; {@code .lua}
 * and {@code .ws} files are apps; other files are static. Paths are percent-decoded once (like
 * Apache's CGI); {@code .} and {@code ..} segments, NUL bytes and anything that resolves outside
 * the root (symbolic links included) are refused, and hidden files (a segment starting with
 * {@code .}) are never served.
 *
 * <p>A web server in front (CGI, FastCGI) may have split the path already; see
 * {@link WsapiRequest.FrontEnd} for when its split is taken. The same refusals apply to it.
 */
final class Router {

    private static final System.Logger LOG = System.getLogger("apogee");

    static final List<String> APP_EXTENSIONS = List.of(".lua", ".ws");
    private static final List<String> INDEX_FILES = List.of("index.lua", "index.ws", "index.html", "index.htm");

    sealed interface Route permits AppRoute, FileRoute, Redirect, Refused {}

    record AppRoute(Path file, byte[] scriptName, byte[] pathInfo, Path documentRoot) implements Route {}

    record FileRoute(Path file) implements Route {}

    record Redirect(String location) implements Route {}

    record Refused(int status, String message) implements Route {}

    private final Path target;
    private final Path root;
    private final Path realRoot;
    private final boolean appMode;

    Router(Path target) throws IOException {
        this.target = target;
        if (Files.isRegularFile(target)) {
            appMode = true;
            root = target.getParent();
        } else if (Files.isDirectory(target)) {
            appMode = false;
            root = target;
        } else {
            throw new IOException("no such app file or directory: " + target);
        }
        realRoot = root.toRealPath();
    }

    boolean appMode() {
        return appMode;
    }

    Path root() {
        return root;
    }

    Route route(String rawPath, String mountPath, WsapiRequest.FrontEnd frontEnd) {
        byte[] path = percentDecode(rawPath);
        if (path == null) return new Refused(400, "malformed percent-encoding in the request path");
        if (!validSegments(path)) return new Refused(400, "the request path has a '.' or '..' segment or a NUL byte");
        byte[] mount = mountPath.getBytes(StandardCharsets.UTF_8);
        if (frontEnd != null && frontEnd.pathInfo() != null) {
            byte[] script = latin1(frontEnd.scriptName());
            byte[] info = latin1(frontEnd.pathInfo());
            if (!validSegments(script) || !validSegments(info)) {
                return new Refused(400, "the front end's SCRIPT_NAME or PATH_INFO has a '.' or '..' segment or a NUL byte");
            }
            if (appMode) return new AppRoute(target, script, info, root);
            Route named = frontEndScript(script, info, frontEnd.scriptFilename());
            if (named != null) return named;
        }
        if (appMode) return new AppRoute(target, mount, path, root);
        return walk(path, mount, rawPath, mountPath);
    }

    /**
     * The script a front end named (SCRIPT_FILENAME, else SCRIPT_NAME under the root), when it is a
     * file; null when it is none, so the caller walks the path instead.
     */
    private Route frontEndScript(byte[] script, byte[] info, String scriptFilename) {
        Path file;
        if (scriptFilename != null && !scriptFilename.isEmpty()) {
            byte[] name = latin1(scriptFilename);
            for (byte b : name) if (b == 0) return new Refused(400, "the front end's SCRIPT_FILENAME has a NUL byte");
            file = root.resolve(new String(name, StandardCharsets.UTF_8)).normalize();
        } else {
            int start = 0;
            while (start < script.length && script[start] == '/') start++;
            file = root.resolve(new String(script, start, script.length - start, StandardCharsets.UTF_8)).normalize();
        }
        if (!Files.isRegularFile(file)) return null;
        if (!contained(file)) {
            LOG.log(System.Logger.Level.WARNING, "refused " + file + ": the front end named a file outside " + realRoot
                    + " (does the web server's root match Apogee's TARGET?)");
            return new Refused(404, "not found");
        }
        String fileName = file.getFileName().toString();
        if (fileName.startsWith(".") || hasHiddenSegment(script)) return new Refused(404, "not found");
        if (isApp(fileName)) return new AppRoute(file, script, info, root);
        return info.length == 0 ? new FileRoute(file) : new Refused(404, "not found");
    }

    private static boolean hasHiddenSegment(byte[] path) {
        for (int i = 0; i < path.length; i++) {
            if (path[i] == '.' && (i == 0 || path[i - 1] == '/')) return true;
        }
        return false;
    }

    private static byte[] latin1(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private Route walk(byte[] path, byte[] mount, String rawPath, String mountPath) {
        Path current = root;
        int i = 0;
        int n = path.length;
        while (i < n) {
            while (i < n && path[i] == '/') i++;
            if (i >= n) break;
            int end = i;
            while (end < n && path[end] != '/') end++;
            if (path[i] == '.') return new Refused(404, "not found");
            String segment = new String(path, i, end - i, StandardCharsets.UTF_8);
            current = current.resolve(segment);
            if (Files.isRegularFile(current)) {
                if (!contained(current)) return new Refused(404, "not found");
                if (isApp(segment)) {
                    return new AppRoute(current, concat(mount, Arrays.copyOfRange(path, 0, end)),
                            Arrays.copyOfRange(path, end, n), root);
                }
                return end == n ? new FileRoute(current) : new Refused(404, "not found");
            }
            if (!Files.isDirectory(current)) return new Refused(404, "not found");
            i = end;
        }
        if (!contained(current)) return new Refused(404, "not found");
        if (!rawPath.endsWith("/")) return new Redirect(mountPath + rawPath + "/");
        for (String index : INDEX_FILES) {
            Path candidate = current.resolve(index);
            if (Files.isRegularFile(candidate) && contained(candidate)) {
                if (isApp(index)) {
                    // the index app is mounted at the folder: /dir/ -> SCRIPT_NAME /dir/index.lua, PATH_INFO /
                    byte[] script = concat(mount, concat(path, index.getBytes(StandardCharsets.UTF_8)));
                    return new AppRoute(candidate, script, new byte[] {'/'}, root);
                }
                return new FileRoute(candidate);
            }
        }
        return new Refused(404, "not found");
    }

    private static boolean isApp(String name) {
        for (String ext : APP_EXTENSIONS) if (name.endsWith(ext) && name.length() > ext.length()) return true;
        return false;
    }

    private boolean contained(Path p) {
        try {
            return p.toRealPath().startsWith(realRoot);
        } catch (IOException e) {
            return false;
        }
    }

    /** Percent-decodes to bytes ({@code +} stays {@code +} in paths), or null when malformed. */
    static byte[] percentDecode(String raw) {
        if (raw.indexOf('%') < 0) return raw.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                out.write((byte) c);
                continue;
            }
            if (i + 2 >= raw.length()) return null;
            int hi = Character.digit(raw.charAt(i + 1), 16), lo = Character.digit(raw.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) return null;
            out.write(hi * 16 + lo);
            i += 2;
        }
        return out.toByteArray();
    }

    /** False for a NUL byte or a "." or ".." segment. */
    static boolean validSegments(byte[] path) {
        int n = path.length;
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i < n && path[i] == 0) return false;
            if (i == n || path[i] == '/') {
                int len = i - start;
                if (len == 1 && path[start] == '.') return false;
                if (len == 2 && path[start] == '.' && path[start + 1] == '.') return false;
                start = i + 1;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
