package org.apogee.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.lapps.LappsConfig;
import org.apogee.lapps.LappsHost;
import picocli.CommandLine;

/** The {@code --lapps} part of {@code apogee serve}: reads lapps.json and starts its services. */
final class LappsCommand {

    private LappsCommand() {}

    /**
     * The started host, or null after printing why a service could not start. A file that cannot
     * be read or parsed is a usage error.
     */
    static LappsHost start(CommandLine cmd, Path file, String redis, LuaRuntime.Options lua) {
        LappsConfig config;
        try {
            config = LappsConfig.load(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--lapps " + file + ": " + e.getMessage());
        }
        if (redis != null) config = config.withRedis(redis.isEmpty() ? null : redis);
        try {
            return LappsHost.start(config, LappsHost.Options.defaults().withLua(lua));
        } catch (IllegalStateException e) {
            System.err.println("apogee serve: " + e.getMessage());
            return null;
        }
    }
}
