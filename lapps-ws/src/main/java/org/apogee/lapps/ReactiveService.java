package org.apogee.lapps;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A running reactive service: its instances, the admission rules of its request target (ACL,
 * Origin, subprotocol) and the round-robin choice of an instance for each new connection.
 */
public final class ReactiveService {

    private final LappsHost host;
    private final LappsConfig.Service config;
    private final ReactiveInstance[] instances;
    private final AtomicInteger cursor = new AtomicInteger();
    /** Subprotocols with a handler (coroutine style), or null (callback style). */
    private final Set<String> handlerProtocols;
    /** Open connections by subprotocol ("" for none), for ws:broadcast. */
    private final Map<String, Set<Connection>> members = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    ReactiveService(LappsHost host, LappsConfig.Service config, ServiceStates states) {
        this.host = host;
        this.config = config;
        this.instances = new ReactiveInstance[config.instances()];
        for (int i = 0; i < instances.length; i++) {
            instances[i] = new ReactiveInstance(this, i, states.newState(String.valueOf(i), null));
        }
        Set<String> keys = null;
        if (instances.length > 0 && instances[0].protocols() != null) {
            keys = new HashSet<>();
            LuaTable t = instances[0].protocols();
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs n = t.next(k);
                if ((k = n.arg1()).isnil()) break;
                if (k.isstring() && n.arg(2).isfunction()) keys.add(k.tojstring());
            }
        }
        this.handlerProtocols = keys;
        for (ReactiveInstance instance : instances) instance.start();
    }

    public String name() {
        return config.name();
    }

    LappsConfig.Service config() {
        return config;
    }

    LappsHost host() {
        return host;
    }

    LappsConfig.Protocol protocol() {
        return config.protocol();
    }

    /** Decides an upgrade request for this service's target. */
    Admission admit(InetAddress peer, String origin, List<String> offered) {
        if (stopping || instances.length == 0) return new Admission.Refused(503, "the service " + name() + " is not running");
        if (peer != null && !config.acl().admits(peer)) return new Admission.Refused(403, "refused by the service's access list");
        if (!config.origins().isEmpty() && (origin == null || !config.origins().contains(origin))) {
            return new Admission.Refused(403, "origin not allowed");
        }
        String chosen = null;
        if (handlerProtocols != null) {
            for (String p : offered) {
                if (!p.equals("*") && handlerProtocols.contains(p)) { chosen = p; break; }
            }
            if (chosen == null && !handlerProtocols.contains("*")) {
                return new Admission.Refused(400, "no handler for the requested subprotocols " + offered);
            }
        } else {
            for (String p : offered) {
                if (p.equals(config.protoAlias()) || config.subprotocols().contains(p)) { chosen = p; break; }
            }
        }
        return new Admission.Accepted(this, chosen, config.extraHeaders(), config.maxInboundMessageSize());
    }

    /** Pins a new connection to the next instance in turn. */
    Connection open(Admission.Accepted accepted, WebSocketPeer peer) {
        ReactiveInstance instance = instances[Math.floorMod(cursor.getAndIncrement(), instances.length)];
        Connection c = new Connection(this, instance, peer, accepted.subprotocol());
        host.register(c);
        members.computeIfAbsent(key(c.subprotocol), k -> ConcurrentHashMap.newKeySet()).add(c);
        instance.enqueue(new ReactiveInstance.Opened(c));
        if (stopping) c.closed();
        return c;
    }

    void leave(Connection c) {
        Set<Connection> set = members.get(key(c.subprotocol));
        if (set != null) set.remove(c);
    }

    /** ws:broadcast: to this node's connections of the subprotocol, and through the relay to the other nodes'. */
    void broadcast(String subprotocol, boolean text, byte[] data) {
        deliver(subprotocol, text, data);
        Broadcasts.Relay relay = host.broadcasts().relay();
        if (relay != null) {
            byte[] framed = new byte[data.length + 1];
            framed[0] = (byte) (text ? 1 : 2);
            System.arraycopy(data, 0, framed, 1, data.length);
            relay.publish(topic(subprotocol), framed);
        }
    }

    void deliver(String subprotocol, boolean text, byte[] data) {
        Set<Connection> set = members.get(key(subprotocol));
        if (set == null) return;
        for (Connection c : set) c.send(text, data);
    }

    String topic(String subprotocol) {
        return "ws:" + name() + ":" + key(subprotocol);
    }

    private static String key(String subprotocol) {
        return subprotocol == null ? "" : subprotocol;
    }

    /** Closes every connection (onDisconnect runs for each), runs onShutdown in every instance, waiting up to {@code grace}. */
    void stop(Duration grace) {
        stopping = true;
        CountDownLatch[] latches = new CountDownLatch[instances.length];
        for (int i = 0; i < instances.length; i++) latches[i] = instances[i].stop();
        long deadline = System.nanoTime() + grace.toNanos();
        for (CountDownLatch l : latches) {
            try {
                l.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
