package org.apogee.lapps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Builds the Lua state of one service instance: the standard libraries, then {@code nljson}, the
 * {@code preload} modules, {@code ws} (reactive) and {@code bcast} (LAppS and standalone), then
 * {@code require(name)} stored in the global of the same name.
 *
 * <p>{@code package.path} holds the service's own folder and every service folder of lapps.json;
 * {@code os.getenv("LAPPS_APPS_DIR")} is the applications folder with a trailing slash. The
 * working directory is LAPPS_HOME.
 */
final class ServiceStates {

    private final LappsHost host;
    private final LappsConfig.Service service;
    private final LuaRuntime runtime;

    ServiceStates(LappsHost host, LappsConfig.Service service, LuaRuntime.Options base) {
        this.host = host;
        this.service = service;
        LappsConfig config = host.config();
        List<Path> dirs = new ArrayList<>();
        dirs.add(config.appsDir().resolve(service.name()));
        for (String other : config.services().keySet()) {
            Path d = config.appsDir().resolve(other);
            if (!dirs.contains(d)) dirs.add(d);
        }
        Map<String, String> env = new HashMap<>(base.environment());
        env.put("LAPPS_APPS_DIR", config.appsDir() + "/");
        env.putIfAbsent("LAPPS_HOME", config.home().toString());
        this.runtime = new LuaRuntime(new LuaRuntime.Options(config.home(), dirs, base.luaPath(), base.allowJava(),
                base.stdout(), env));
    }

    /** The module file; its absence fails the start with a message naming the path. */
    Path moduleFile() {
        return host.config().appsDir().resolve(service.name()).resolve(service.name() + ".lua");
    }

    /** A state with its service module loaded, and the metatable its nljson values share. */
    record Loaded(LuaState state, LuaValue nljsonMeta) {}

    /**
     * A new state with the module loaded. Throws {@link ServiceException} when the module is
     * missing or fails to load.
     */
    Loaded newState(String instanceId, StandaloneInstance standalone) {
        Path file = moduleFile();
        if (!Files.isRegularFile(file)) {
            throw new ServiceException(service.name() + ": module file not found: " + file);
        }
        LuaState state = runtime.newState();
        LuaState previous = state.enter();
        try {
            LuaTable mt = NlJson.metatable();
            installRandom(state);
            state.set("nljson", NljsonModule.create(state, mt));
            for (String name : service.preload()) {
                LuaValue module = switch (name) {
                    case "nap" -> NapModule.create();
                    case "time" -> TimeModule.create();
                    case "murmur" -> MurmurModule.create();
                    case "mqr" -> MqrModule.create(host.queues(), mt);
                    case "cws" -> ClientModule.create(state);
                    case "pam_auth" -> PamAuthModule.create(host.authenticator());
                    default -> null; // unknown names are ignored, as in the original server
                };
                if (module != null) state.set(name, module);
            }
            if (!service.standalone()) state.set("ws", WsModule.create(host));
            if (service.standalone() || service.protocol() == LappsConfig.Protocol.LAPPS) state.set("bcast", BcastModule.create(host));
            if (standalone != null) {
                state.set("instance_id", LuaValue.valueOf(instanceId));
                state.set("must_stop", new VarArgFunction() {
                    @Override public Varargs invoke(Varargs args) {
                        return valueOf(standalone.mustStop());
                    }
                });
            }
            LuaValue module = state.get("require").call(LuaValue.valueOf(service.name()));
            if (module.istable()) state.set(service.name(), module);
            return new Loaded(state, mt);
        } catch (LuaError e) {
            throw new ServiceException(service.name() + ": loading the module failed: " + e.getMessage(), e);
        } finally {
            LuaState.leave(previous);
        }
    }

    /**
     * {@code math.random} with LuaJIT's range: {@code math.random(m)} and {@code math.random(m, n)}
     * accept any number (LuaJ's stop at 2^31, and scripts for the original server pass 2^32).
     */
    private static void installRandom(LuaState state) {
        Random random = new Random();
        LuaTable math = (LuaTable) state.get("math");
        math.set("random", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                double r = random.nextDouble();
                switch (args.narg()) {
                    case 0: return valueOf(r);
                    case 1: {
                        double m = Math.floor(args.checkdouble(1));
                        if (m < 1) argerror(1, "interval is empty");
                        return valueOf(Math.floor(r * m) + 1);
                    }
                    default: {
                        double m = Math.floor(args.checkdouble(1));
                        double n = Math.floor(args.checkdouble(2));
                        if (m > n) argerror(2, "interval is empty");
                        return valueOf(Math.floor(r * (n - m + 1)) + m);
                    }
                }
            }
        });
        math.set("randomseed", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                random.setSeed(Double.doubleToLongBits(args.checkdouble(1)));
                return NONE;
            }
        });
    }

    /** A service that cannot start or has stopped working; the message is for the operator. */
    static final class ServiceException extends RuntimeException {
        ServiceException(String message) {
            super(message, null, false, false);
        }

        ServiceException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
