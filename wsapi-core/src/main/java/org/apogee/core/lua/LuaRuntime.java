package org.apogee.core.lua;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.Bit32Lib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.luaj.vm2.lib.jse.LuajavaLib;

/**
 * Builds prepared Lua states from an explicit list of libraries.
 *
 * <p>What every state gets: base, package, bit32, table, string (with {@code format} and {@code rep}
 * fixed), math, io and os (paths resolved against the state's virtual working directory;
 * {@code os.exit} ends the script, not the JVM), coroutine (no platform thread per coroutine),
 * debug, and the Lua 5.1 compatibility functions old WSAPI code uses. {@code luajava} only when
 * {@link Options#allowJava} is set.
 *
 * <p>A runtime is immutable and thread-safe; states are not.
 */
public final class LuaRuntime {

    /** How states are built. */
    public record Options(
            /** Directory that relative paths of a new state resolve against. */
            Path workingDirectory,
            /** Extra {@code package.path} entries tried after {@code ./?.lua} (e.g. the app's folder). */
            List<Path> searchDirectories,
            /** The value of {@code LUA_PATH_5_2} or {@code LUA_PATH}, or null; {@code ;;} stands for the default. */
            String luaPath,
            /** Gives Lua code the {@code luajava} library (full Java access). */
            boolean allowJava,
            /** Where {@code print} and {@code io.write} go. */
            PrintStream stdout,
            /** Process environment for {@code os.getenv}. */
            Map<String, String> environment) {

        public Options {
            workingDirectory = workingDirectory == null ? Path.of("").toAbsolutePath() : workingDirectory.toAbsolutePath().normalize();
            searchDirectories = searchDirectories == null ? List.of() : List.copyOf(searchDirectories);
            stdout = stdout == null ? System.out : stdout;
            environment = environment == null ? Map.of() : Map.copyOf(environment);
        }

        public static Options defaults() {
            return new Options(null, null, null, false, null, null);
        }

        /** Defaults plus LUA_PATH and the environment of this process. */
        public static Options fromProcess(Path workingDirectory) {
            Map<String, String> env = System.getenv();
            String luaPath = env.getOrDefault("LUA_PATH_5_2", env.get("LUA_PATH"));
            return new Options(workingDirectory, null, luaPath, false, null, env);
        }

        public Options withSearchDirectories(List<Path> dirs) {
            return new Options(workingDirectory, dirs, luaPath, allowJava, stdout, environment);
        }

        public Options withWorkingDirectory(Path dir) {
            return new Options(dir, searchDirectories, luaPath, allowJava, stdout, environment);
        }

        public Options withAllowJava(boolean allow) {
            return new Options(workingDirectory, searchDirectories, luaPath, allow, stdout, environment);
        }

        public Options withStdout(PrintStream out) {
            return new Options(workingDirectory, searchDirectories, luaPath, allowJava, out, environment);
        }
    }

    private static final LuaString VERSION = LuaValue.valueOf("Lua 5.2");
    private static final CachingCompiler COMPILER = new CachingCompiler(LuaC.instance);

    private final Options options;
    private final LuaString packagePath;

    public LuaRuntime(Options options) {
        this.options = Objects.requireNonNull(options);
        this.packagePath = LuaValue.valueOf(packagePath(options));
    }

    public Options options() {
        return options;
    }

    /** The default {@code package.path}: the working directory, the search folders, then Apogee's bundled libraries. */
    static String defaultPath(Options options) {
        List<String> parts = new ArrayList<>(List.of("./?.lua", "./?/init.lua"));
        for (Path dir : options.searchDirectories()) {
            String d = dir.toAbsolutePath().normalize().toString();
            parts.add(d + "/?.lua");
            parts.add(d + "/?/init.lua");
        }
        parts.add(LuaState.CLASSPATH_PREFIX + "lua/?.lua");
        parts.add(LuaState.CLASSPATH_PREFIX + "lua/?/init.lua");
        return String.join(";", parts);
    }

    /** As the standard interpreter does: LUA_PATH replaces the default, and its ";;" stands for the default. */
    static String packagePath(Options options) {
        String def = defaultPath(options);
        String env = options.luaPath();
        if (env == null || env.isEmpty()) return def;
        String p = env.replace(";;", ";\u0001;");
        p = p.replace("\u0001", def);
        // collapse the empty entries a leading or trailing ";;" leaves
        while (p.contains(";;")) p = p.replace(";;", ";");
        if (p.startsWith(";")) p = p.substring(1);
        if (p.endsWith(";")) p = p.substring(0, p.length() - 1);
        return p;
    }

    /**
     * A chunk's closure. LuaJ ties a closure to its {@code Globals} only when the environment is the
     * globals table itself; a chunk loaded with another environment ({@code load(s, name, "t", env)})
     * would run outside the debug call stack, so {@code debug.getinfo}, {@code getfenv(1)},
     * {@code setfenv(1, t)} and {@code module} could not see it. Build it for the state, then give it
     * its environment.
     */
    static LuaClosure closure(LuaState g, Prototype prototype, LuaValue env) {
        LuaClosure c = new LuaClosure(prototype, g);
        if (env != g && c.upValues.length > 0) c.upValues[0] = new UpValue(new LuaValue[] {env}, 0);
        return c;
    }

    /** A fresh, fully prepared state. About 15 µs plus the compatibility prelude. */
    public LuaState newState() {
        LuaState g = new LuaState(this, options.workingDirectory());
        LuaState previous = g.enter();
        try {
            g.STDOUT = options.stdout();
            g.load(new JseBaseLib());
            g.set("pcall", new Pcall(g));
            g.set("xpcall", new Pcall.Xpcall(g));
            g.set("error", new LuaErrors.Error());
            g.load(new PackageLib());
            g.load(new Bit32Lib());
            g.load(new TableLib());
            g.load(new org.luaj.vm2.lib.StringLib());
            g.load(new CoroutineLib());
            g.load(new JseMathLib());
            g.load(new IoLib(g));
            g.load(new OsLib(g));
            g.load(new org.luaj.vm2.lib.ApogeeDebugLib());
            if (options.allowJava()) g.load(new LuajavaLib());
            LoadState.install(g);
            LuaC.install(g);
            g.compiler = COMPILER;
            g.loader = (prototype, chunkName, env) -> closure(g, prototype, env);
            // BaseLib installs itself as finder; the state's own finder resolves against its working directory.
            g.finder = g.stateFinder();
            g.set("_VERSION", VERSION);
            LuaTable pkg = (LuaTable) g.get("package");
            pkg.set("path", packagePath);
            pkg.set("cpath", LuaValue.EMPTYSTRING);
            if (!options.allowJava()) {
                // LuaJ's third searcher instantiates any Java class by name: that is Java access too.
                ((LuaTable) pkg.get("searchers")).set(3, LuaValue.NIL);
            }
            // last: explains a missing C module (lpeg, socket, ...) in require's "not found" message
            LuaTable searchers = (LuaTable) pkg.get("searchers");
            searchers.set(searchers.length() + 1, NativeModules.SEARCHER);
            JavaModules.install(g, (LuaTable) pkg.get("preload"));
            // LuaJ's loadlib calls itself until the stack overflows; C Lua without dynamic libraries answers this
            pkg.set("loadlib", new org.luaj.vm2.lib.VarArgFunction() {
                @Override public org.luaj.vm2.Varargs invoke(org.luaj.vm2.Varargs args) {
                    return LuaValue.varargsOf(LuaValue.NIL,
                            LuaValue.valueOf("dynamic libraries not enabled; check your Lua installation"), LuaValue.valueOf("absent"));
                }
            });
            StringFixes.install(g);
            MathFixes.install(g);
            g.loadfile(LuaState.CLASSPATH_PREFIX + "lua/apogee/compat51.lua").call();
        } finally {
            LuaState.leave(previous);
        }
        return g;
    }
}
