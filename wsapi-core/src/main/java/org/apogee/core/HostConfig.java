package org.apogee.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import org.apogee.core.lua.LuaRuntime;

/**
 * How a {@link WsapiHost} serves its target.
 *
 * @param target         an app file (served at the mount point) or a document root directory
 * @param instances      Lua states per app; a request holds one for its whole life
 * @param acquireTimeout how long a request waits for a free state before a 503
 * @param reload         reload an app on the next request after one of its files changed
 * @param debug          show error details (message, file, line, traceback) in error pages
 * @param maxBodyBytes   larger request bodies are refused with 413
 * @param lua            how Lua states are built (LUA_PATH, Java access, environment)
 */
public record HostConfig(
        Path target,
        int instances,
        Duration acquireTimeout,
        boolean reload,
        boolean debug,
        long maxBodyBytes,
        LuaRuntime.Options lua) {

    public static final String SERVER_SOFTWARE = "Apogee/0.1";
    public static final long DEFAULT_MAX_BODY = 256L * 1024 * 1024;

    public HostConfig {
        Objects.requireNonNull(target, "target");
        target = target.toAbsolutePath().normalize();
        if (instances < 1) throw new IllegalArgumentException("instances must be at least 1, got " + instances);
        acquireTimeout = acquireTimeout == null ? Duration.ofSeconds(30) : acquireTimeout;
        if (maxBodyBytes <= 0) maxBodyBytes = DEFAULT_MAX_BODY;
        lua = lua == null ? LuaRuntime.Options.fromProcess(null) : lua;
    }

    /** Defaults: one state per core, 30 s wait for a state, no reload, no debug. */
    public static HostConfig of(Path target) {
        return new HostConfig(target, Runtime.getRuntime().availableProcessors(), null, false, false, 0, null);
    }

    public HostConfig withInstances(int n) {
        return new HostConfig(target, n, acquireTimeout, reload, debug, maxBodyBytes, lua);
    }

    public HostConfig withAcquireTimeout(Duration d) {
        return new HostConfig(target, instances, d, reload, debug, maxBodyBytes, lua);
    }

    public HostConfig withReload(boolean r) {
        return new HostConfig(target, instances, acquireTimeout, r, debug, maxBodyBytes, lua);
    }

    public HostConfig withDebug(boolean d) {
        return new HostConfig(target, instances, acquireTimeout, reload, d, maxBodyBytes, lua);
    }

    public HostConfig withMaxBodyBytes(long n) {
        return new HostConfig(target, instances, acquireTimeout, reload, debug, n, lua);
    }

    public HostConfig withLua(LuaRuntime.Options o) {
        return new HostConfig(target, instances, acquireTimeout, reload, debug, maxBodyBytes, o);
    }
}
