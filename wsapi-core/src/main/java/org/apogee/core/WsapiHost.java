package org.apogee.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.apogee.core.LuaApp.Instance;
import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * The WSAPI layer: takes a server-neutral request and a response sink, routes the request, runs
 * the app in a pooled Lua state and streams its answer. Every server adapter calls
 * {@link #handle}; none of them knows about Lua.
 *
 * <p>{@code handle} blocks (reading the body, waiting for a state, running Lua): call it on a
 * virtual thread, never on a server's I/O thread. It is thread-safe.
 *
 * <p>{@link #close()} ends it when its server has stopped: every app's Lua states are closed (their
 * {@link LuaState#atClose} actions run: connections the apps kept open are closed).
 */
public final class WsapiHost implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("apogee");

    private final HostConfig config;
    private final Router router;
    private final ConcurrentHashMap<Path, LuaApp> apps = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public WsapiHost(HostConfig config) throws IOException {
        this.config = config;
        this.router = new Router(config.target());
    }

    public HostConfig config() {
        return config;
    }

    /**
     * Closes the Lua states of every app: idle ones now, busy ones when their request ends. Requests that
     * come afterwards are answered 503. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (LuaApp app : apps.values()) app.close();
    }

    /** Serves one request to completion. Never throws: failures become error responses or an aborted sink. */
    public void handle(WsapiRequest request, ResponseSink sink) {
        try {
            if (!ResponseDriver.isToken(request.method())) {
                ResponseDriver.sendPage(sink, request, 400, "The request has no valid method.", null, List.of());
                return;
            }
            switch (router.route(request.rawPath(), request.mountPath(), request.frontEnd())) {
                case Router.Refused r -> ResponseDriver.sendPage(sink, request, r.status(), r.message(), null, List.of());
                case Router.Redirect r -> ResponseDriver.sendPage(sink, request, 301, "Moved to " + r.location(), null,
                        List.of(new Header("Location", r.location())));
                case Router.FileRoute f -> StaticFiles.serve(f.file(), request, sink);
                case Router.AppRoute a -> runApp(request, a, sink);
            }
        } catch (IOException clientGone) {
            sink.abort(clientGone);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sink.abort(e);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "internal error serving " + request.rawPath(), e);
            sink.abort(e);
        }
    }

    /**
     * A refused body up to this size is read and dropped before the 413 goes out: a server that closes
     * with unread bytes makes the client's TCP stack reset the connection, which can discard the answer
     * before the client reads it (Tomcat's maxSwallowSize does the same, with the same 2 MiB).
     */
    static final long SWALLOW_LIMIT = 2L * 1024 * 1024;

    private static void swallow(java.io.InputStream body, long length) {
        byte[] buffer = new byte[8192];
        try {
            for (long left = length; left > 0; ) {
                int n = body.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) return;
                left -= n;
            }
        } catch (IOException gone) {
            // the client stopped sending: the 413 still goes out if it can
        }
    }

    private void runApp(WsapiRequest req, Router.AppRoute route, ResponseSink sink) throws IOException, InterruptedException {
        long declared = declaredLength(req);
        if (declared == -2) {
            ResponseDriver.sendPage(sink, req, 400, "Invalid Content-Length header.", null, List.of());
            return;
        }
        if (declared > config.maxBodyBytes()) {
            if (declared <= SWALLOW_LIMIT) swallow(req.body(), declared);
            ResponseDriver.sendPage(sink, req, 413, "The request body is larger than " + config.maxBodyBytes() + " bytes.",
                    null, List.of(new Header("Connection", "close")));
            return;
        }
        LuaApp app = closed ? null : apps.computeIfAbsent(route.file(), f -> new LuaApp(f, displayName(f), config));
        if (app == null || closed) {
            if (app != null) app.close(); // created while closing
            ResponseDriver.sendPage(sink, req, 503, "The server is shutting down.", null, List.of());
            return;
        }
        StatePool.Slot<Instance> slot;
        try {
            slot = app.acquire(config.acquireTimeout());
        } catch (LuaApp.LoadException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot load " + app.displayName + ": " + e.getMessage());
            ResponseDriver.sendPage(sink, req, 500, "The application could not be loaded.",
                    config.debug() ? e.getMessage() : null, List.of());
            return;
        }
        if (slot == null) {
            ResponseDriver.sendPage(sink, req, 503, "All instances of this application are busy; try again shortly.", null,
                    List.of(new Header("Retry-After", "1")));
            return;
        }
        Instance instance = slot.value();
        boolean reusable = true;
        LuaState previous = instance.state.enter();
        try {
            LuaEnv.BodyInput input = new LuaEnv.BodyInput(req.body(), declared, config.maxBodyBytes());
            String documentRoot = req.frontEnd() != null && req.frontEnd().documentRoot() != null
                    ? new String(req.frontEnd().documentRoot().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)
                    : route.documentRoot().toString();
            LuaEnv.Target target = new LuaEnv.Target(route.scriptName(), route.pathInfo(), route.file().toString(),
                    documentRoot, route.file().getParent().toString());
            LuaTable env = instance.env.build(req, target, input);
            reusable = new ResponseDriver(req, sink, app.displayName, config.debug()).run(instance.app, env);
        } finally {
            instance.state.runEndActions();
            LuaState.leave(previous);
            app.release(slot, reusable);
        }
    }

    /** Content-Length as a number, -1 when absent, -2 when malformed. */
    private static long declaredLength(WsapiRequest req) {
        String cl = req.header("Content-Length");
        if (cl == null) return -1;
        try {
            long n = Long.parseLong(cl.trim());
            return n < 0 ? -2 : n;
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    private String displayName(Path file) {
        Path root = router.root();
        return file.startsWith(root) ? root.relativize(file).toString() : file.toString();
    }

    /** Used by error pages to show Lua messages with their bytes intact. */
    static String text(LuaValue v) {
        if (v.isstring()) {
            var s = v.checkstring();
            byte[] b = new byte[s.length()];
            s.copyInto(0, b, 0, b.length);
            return new String(b, StandardCharsets.UTF_8);
        }
        return v.tojstring();
    }
}
