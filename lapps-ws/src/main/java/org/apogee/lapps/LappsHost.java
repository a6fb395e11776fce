package org.apogee.lapps;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.apogee.core.lua.LuaRuntime;
import org.luaj.vm2.LuaValue;

/**
 * The LAppS service host: starts the services of a lapps.json, decides upgrade requests by request
 * target, and connects each accepted WebSocket to an instance of its service. Server glue calls
 * {@link #admit} before the upgrade and {@link #open} once the socket is open; nothing here knows
 * which server runs it.
 *
 * <p>Services with {@code auto_start} start in name order, each after everything it
 * {@code depends} on; {@link #stop} stops them in the reverse order.
 */
public final class LappsHost implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("apogee.lapps");

    /** How the host runs services. */
    public record Options(LuaRuntime.Options lua, Authenticator authenticator) {
        public Options {
            Objects.requireNonNull(lua);
            authenticator = authenticator == null ? Authenticator.REFUSE_ALL : authenticator;
        }

        public static Options defaults() {
            return new Options(LuaRuntime.Options.fromProcess(null), null);
        }

        public Options withLua(LuaRuntime.Options lua) {
            return new Options(lua, authenticator);
        }

        public Options withAuthenticator(Authenticator authenticator) {
            return new Options(lua, authenticator);
        }
    }

    /** A service that is running: reactive or standalone. */
    private sealed interface Running {}
    private record Reactive(ReactiveService service) implements Running {}
    private record Standalone(List<StandaloneInstance> instances) implements Running {}

    private final LappsConfig config;
    private final Options options;
    private final Broadcasts broadcasts = new Broadcasts();
    private final MqrModule.Queues queues = new MqrModule.Queues();
    private final ConcurrentHashMap<Integer, Connection> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ReactiveService> routes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ReactiveService> reactiveByName = new ConcurrentHashMap<>();
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("lapps-timer").factory());

    private LappsHost(LappsConfig config, Options options) {
        this.config = config;
        this.options = options;
    }

    /**
     * Starts the auto-start services of a configuration. Throws {@link IllegalStateException} with
     * an operator-readable message when one cannot start (after stopping those already started).
     */
    public static LappsHost start(LappsConfig config, Options options) {
        LappsHost host = new LappsHost(config, options);
        try {
            if (config.redis() != null) host.broadcasts.relay(RedisRelay.connect(config.redis(), host));
            for (LappsConfig.Service s : config.services().values()) {
                if (s.autoStart()) host.startService(s.name());
            }
            for (Map.Entry<String, String> p : config.problems().entrySet()) {
                LOG.log(System.Logger.Level.WARNING, "service " + p.getKey() + " cannot start: " + p.getValue());
            }
        } catch (RuntimeException e) {
            host.stop(Duration.ofSeconds(5));
            throw new IllegalStateException(e.getMessage(), e);
        }
        return host;
    }

    /** Starts a service (and first what it depends on) unless it is running. */
    public synchronized void startService(String name) {
        startService(name, new LinkedHashSet<>());
    }

    private void startService(String name, LinkedHashSet<String> path) {
        if (running.containsKey(name)) return;
        if (!path.add(name)) {
            throw new ServiceStates.ServiceException("dependency cycle: " + String.join(" -> ", path) + " -> " + name);
        }
        LappsConfig.Service s = config.services().get(name);
        if (s == null) {
            String problem = config.problems().get(name);
            throw new ServiceStates.ServiceException(problem != null ? "service " + name + ": " + problem
                    : "unknown service \"" + name + "\"" + (path.size() > 1 ? " (a dependency of " + String.join(" -> ", path) + ")" : ""));
        }
        for (String dep : s.depends()) startService(dep, path);
        path.remove(name);
        ServiceStates states = new ServiceStates(this, s, options.lua());
        if (s.standalone()) {
            List<StandaloneInstance> instances = new ArrayList<>();
            for (int i = 0; i < s.instances(); i++) instances.add(new StandaloneInstance(name, states));
            running.put(name, new Standalone(instances));
            instances.forEach(StandaloneInstance::start);
        } else {
            ReactiveService service = new ReactiveService(this, s, states);
            running.put(name, new Reactive(service));
            reactiveByName.put(name, service);
            routes.put(s.requestTarget(), service);
        }
        LOG.log(System.Logger.Level.INFO, "service " + name + " started (" + s.instances() + " instance" + (s.instances() == 1 ? "" : "s")
                + (s.standalone() ? ", standalone" : ", " + s.protocol().configName + " at " + s.requestTarget()) + ")");
    }

    /**
     * Decides an upgrade request before the upgrade. {@code requestTarget} is the request-target
     * as sent (path and query string); {@code offered} the client's subprotocols in its order.
     */
    public Admission admit(String requestTarget, InetAddress peer, String origin, List<String> offered) {
        ReactiveService service = routes.get(requestTarget);
        if (service == null) return new Admission.Refused(404, "no WebSocket service at " + requestTarget);
        return service.admit(peer, origin, offered);
    }

    /** True when some service listens at this request target (glue may route on it). */
    public boolean serves(String requestTarget) {
        return routes.containsKey(requestTarget);
    }

    /** Connects an upgraded socket to an instance of the admitted service. */
    public Connection open(Admission.Accepted accepted, WebSocketPeer peer) {
        return accepted.service().open(accepted, peer);
    }

    /** Stops every service, last started first. */
    public synchronized void stop(Duration grace) {
        List<String> order = new ArrayList<>(running.keySet());
        java.util.Collections.reverse(order);
        for (String name : order) stopService(name, grace);
        Broadcasts.Relay relay = broadcasts.relay();
        if (relay != null) relay.close();
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS); // no thread left behind (a web app's undeploy)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops one service (not what it depends on): a reactive one closes its connections, runs
     * onDisconnect for each and onShutdown; a standalone one gets {@code must_stop()} true and is
     * waited for up to {@code grace}. Nothing happens if it is not running.
     */
    public synchronized void stopService(String name, Duration grace) {
        Running r = running.remove(name);
        if (r == null) return;
        switch (r) {
            case Reactive reactive -> {
                routes.remove(reactive.service().config().requestTarget(), reactive.service());
                reactiveByName.remove(name);
                reactive.service().stop(grace);
            }
            case Standalone s -> {
                s.instances().forEach(StandaloneInstance::requestStop);
                for (StandaloneInstance i : s.instances()) i.awaitStop(grace);
            }
        }
        LOG.log(System.Logger.Level.INFO, "service " + name + " stopped");
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    /** One line on what runs: each service with its protocol and target, or "standalone". */
    public synchronized String summary() {
        StringBuilder sb = new StringBuilder();
        for (String name : running.keySet()) {
            LappsConfig.Service s = config.services().get(name);
            if (sb.length() > 0) sb.append(", ");
            sb.append(name).append(s.standalone() ? " (standalone)" : " (" + s.protocol().configName + ") at " + s.requestTarget());
        }
        return sb.length() == 0 ? "no service started" : sb.toString();
    }

    public LappsConfig config() {
        return config;
    }

    /** The running reactive service of this name, or null. */
    ReactiveService reactive(String name) {
        return reactiveByName.get(name);
    }

    void register(Connection c) {
        connections.put(c.handler, c);
    }

    void unregister(Connection c) {
        connections.remove(c.handler, c);
    }

    /** The open connection a Lua handler value names, or null. */
    Connection connection(LuaValue handler) {
        double d = handler.todouble();
        if (d != Math.rint(d) || d < 1 || d > Integer.MAX_VALUE) return null;
        return connections.get((int) d);
    }

    Broadcasts broadcasts() {
        return broadcasts;
    }

    MqrModule.Queues queues() {
        return queues;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    Authenticator authenticator() {
        return options.authenticator();
    }

    /** A message from another node (through the relay) for this node's subscribers. */
    void relayed(String topic, byte[] message) {
        if (topic.startsWith("bcast:")) {
            try {
                broadcasts.deliver(Long.parseLong(topic.substring(6)), message);
            } catch (NumberFormatException ignored) {
                // not ours
            }
        } else if (topic.startsWith("ws:") && message.length > 0) {
            String rest = topic.substring(3);
            int colon = rest.indexOf(':');
            if (colon < 0) return;
            ReactiveService s = reactive(rest.substring(0, colon));
            if (s == null) return;
            String sub = rest.substring(colon + 1);
            byte[] data = java.util.Arrays.copyOfRange(message, 1, message.length);
            s.deliver(sub.isEmpty() ? null : sub, message[0] == 1, data);
        }
    }
}
