package org.apogee.lapps;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The process-wide {@code bcast} channels: numeric ids, each with a list of subscribed connections
 * (a connection subscribed twice gets every message twice). A broadcast is encoded once and queued
 * to every subscriber as one BINARY message. With a {@link Relay} it also reaches the subscribers
 * of the same channel on the other nodes.
 */
final class Broadcasts {

    /** Carries broadcasts between nodes. */
    interface Relay extends AutoCloseable {
        /** Publishes a broadcast of this node to the others. */
        void publish(String topic, byte[] message);

        @Override
        void close();
    }

    private final ConcurrentHashMap<Long, CopyOnWriteArrayList<Connection>> channels = new ConcurrentHashMap<>();
    private volatile Relay relay;

    void relay(Relay relay) {
        this.relay = relay;
    }

    Relay relay() {
        return relay;
    }

    /** Creates the channel if absent. */
    void create(long id) {
        channels.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
    }

    boolean exists(long id) {
        return channels.containsKey(id);
    }

    /** False when the channel does not exist. */
    boolean subscribe(long id, Connection c) {
        CopyOnWriteArrayList<Connection> subs = channels.get(id);
        if (subs == null) return false;
        subs.add(c);
        return true;
    }

    /** Removes one subscription of the connection; false when the channel does not exist. */
    boolean unsubscribe(long id, Connection c) {
        CopyOnWriteArrayList<Connection> subs = channels.get(id);
        if (subs == null) return false;
        subs.remove(c);
        return true;
    }

    /** Drops every subscription of a connection that has closed. */
    void forget(Connection c) {
        for (CopyOnWriteArrayList<Connection> subs : channels.values()) subs.removeIf(s -> s == c);
    }

    /** Sends to this node's subscribers and, with a relay, to the other nodes'. False when the channel does not exist here. */
    boolean send(long id, byte[] cbor) {
        if (!deliver(id, cbor)) return false;
        Relay r = relay;
        if (r != null) r.publish(topic(id), cbor);
        return true;
    }

    /** Delivers to this node's subscribers only. */
    boolean deliver(long id, byte[] cbor) {
        CopyOnWriteArrayList<Connection> subs = channels.get(id);
        if (subs == null) return false;
        for (Connection c : subs) c.send(false, cbor);
        return true;
    }

    static String topic(long id) {
        return "bcast:" + id;
    }
}
