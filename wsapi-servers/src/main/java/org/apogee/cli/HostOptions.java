package org.apogee.cli;

import java.nio.file.Path;
import java.time.Duration;

import org.apogee.core.HostConfig;
import org.apogee.core.lua.LuaRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options that configure how apps run, shared by the long-running commands. */
final class HostOptions {
    @Option(names = "--instances", description = "Lua states per app (default: number of cores).")
    Integer instances;

    @Option(names = "--queue-timeout", defaultValue = "30", description = "Seconds a request waits for a free state before a 503 (default: ${DEFAULT-VALUE}).")
    double queueTimeout;

    @Option(names = "--max-body", defaultValue = "" + HostConfig.DEFAULT_MAX_BODY, description = "Largest request body in bytes (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--reload", negatable = true, description = "Reload an app when one of its files changes (development).")
    boolean reload;

    @Option(names = "--debug", negatable = true, description = "Show error details in error pages (development).")
    boolean debug;

    @Option(names = "--allow-java", negatable = true, description = "Give Lua code the luajava library (full Java access).")
    boolean allowJava;

    /** How Lua states are built for the apps (and the LAppS services). */
    LuaRuntime.Options lua() {
        return LuaRuntime.Options.fromProcess(null).withAllowJava(allowJava);
    }

    HostConfig config(Path target, CommandLine commandLine) {
        if (instances != null && instances < 1) throw new CommandLine.ParameterException(commandLine, "--instances must be at least 1");
        if (queueTimeout < 0) throw new CommandLine.ParameterException(commandLine, "--queue-timeout must not be negative");
        return HostConfig.of(target)
                .withInstances(instances == null ? Runtime.getRuntime().availableProcessors() : instances)
                .withAcquireTimeout(Duration.ofMillis((long) (queueTimeout * 1000)))
                .withReload(reload)
                .withDebug(debug)
                .withMaxBodyBytes(maxBody)
                .withLua(lua());
    }
}
