package org.apogee.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What must be undone when Apogee stops: background threads of filters and modules, shared files,
 * connections. A Java helper that starts something process-wide registers how to stop it here, so
 * that the server adapters stop everything without knowing any module.
 *
 * <p>The registry belongs to the class loader that loaded the core: the whole process when
 * standalone, one web application in a servlet container, whose context listener calls
 * {@link #runAll()} when the application is undeployed (so a redeploy leaves no thread behind).
 * Standalone, the commands call {@link #runAll()} after their servers stopped; the registry also
 * installs one JVM shutdown hook while it holds actions, which covers any other exit and is removed
 * again by {@link #runAll()}.
 *
 * <p>Actions run in the reverse order of registration, each once; one that fails does not stop the
 * others. An action must tolerate being run while the code it stops is still called (a request that
 * ends late): stop the background part and fall back to doing the work at once.
 */
public final class ShutdownHooks {

    private static final System.Logger LOG = System.getLogger("apogee");
    private static final Map<Registration, Runnable> ACTIONS = new LinkedHashMap<>();
    private static Thread jvmHook;

    private ShutdownHooks() {}

    /** A registered action; {@link #close()} withdraws it without running it. */
    public static final class Registration implements AutoCloseable {
        private final String name;

        private Registration(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        @Override
        public void close() {
            synchronized (ShutdownHooks.class) {
                ACTIONS.remove(this);
            }
        }
    }

    /** Runs {@code action} when Apogee stops (the web application is undeployed, or the process exits). */
    public static synchronized Registration register(String name, Runnable action) {
        Registration r = new Registration(name);
        ACTIONS.put(r, action);
        if (jvmHook == null) {
            jvmHook = new Thread(ShutdownHooks::runAll, "apogee-stop-at-exit");
            try {
                Runtime.getRuntime().addShutdownHook(jvmHook);
            } catch (IllegalStateException exiting) {
                // the JVM exits already: whoever is shutting down runs the actions
            }
        }
        return r;
    }

    /** The names of the actions registered now, in registration order (for diagnostics and tests). */
    public static synchronized List<String> registered() {
        return ACTIONS.keySet().stream().map(Registration::name).toList();
    }

    /** Runs and forgets every registered action, newest first. Idempotent; safe from any thread. */
    public static void runAll() {
        List<Map.Entry<Registration, Runnable>> due;
        synchronized (ShutdownHooks.class) {
            due = new ArrayList<>(ACTIONS.entrySet());
            ACTIONS.clear();
            Thread hook = jvmHook;
            jvmHook = null;
            if (hook != null && hook != Thread.currentThread()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException exiting) {
                    // the JVM is exiting: the hook runs, finds nothing left, and ends
                }
            }
        }
        for (int i = due.size() - 1; i >= 0; i--) {
            Map.Entry<Registration, Runnable> e = due.get(i);
            try {
                e.getValue().run();
            } catch (RuntimeException | Error failure) {
                LOG.log(System.Logger.Level.WARNING, "stopping " + e.getKey().name() + " failed", failure);
            }
        }
    }
}
