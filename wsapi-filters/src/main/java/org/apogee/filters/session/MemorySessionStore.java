package org.apogee.filters.session;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in this process's memory, shared by every Lua state that names the same store. Bounded:
 * beyond {@code maxSessions} the least recently used session is dropped. Expired sessions are
 * dropped when met and, since the map is kept in access order, swept from its idle end on writes.
 */
public final class MemorySessionStore implements SessionStore {

    private static final ConcurrentHashMap<String, MemorySessionStore> NAMED = new ConcurrentHashMap<>();

    private static final class Entry {
        final byte[] data;
        final long createdAt;
        long lastAccess;

        Entry(byte[] data, long createdAt, long lastAccess) {
            this.data = data;
            this.createdAt = createdAt;
            this.lastAccess = lastAccess;
        }
    }

    private final String name;
    private volatile int maxSessions;
    private final LinkedHashMap<String, Entry> sessions = new LinkedHashMap<>(256, 0.75f, true);

    private MemorySessionStore(String name, int maxSessions) {
        this.name = name;
        this.maxSessions = maxSessions;
    }

    /**
     * The process-wide store called {@code name}, created on first use. A later call may raise its
     * bound, never lower it below what another caller asked for.
     */
    public static MemorySessionStore named(String name, int maxSessions) {
        if (maxSessions < 1) throw new IllegalArgumentException("max_sessions must be at least 1, got " + maxSessions);
        MemorySessionStore store = NAMED.computeIfAbsent(name, n -> new MemorySessionStore(n, maxSessions));
        synchronized (store) {
            if (maxSessions > store.maxSessions) store.maxSessions = maxSessions;
        }
        return store;
    }

    @Override
    public synchronized Stored load(String id, long idleMillis, long absoluteMillis) {
        Entry e = sessions.get(id);
        if (e == null) return null;
        long now = System.currentTimeMillis();
        if (expired(e, now, idleMillis, absoluteMillis)) {
            sessions.remove(id);
            return null;
        }
        e.lastAccess = now;
        return new Stored(e.data, e.createdAt);
    }

    @Override
    public synchronized void save(String id, byte[] data, long createdAt, long idleMillis, long absoluteMillis) {
        long now = System.currentTimeMillis();
        sessions.put(id, new Entry(data, createdAt, now));
        Iterator<Map.Entry<String, Entry>> it = sessions.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> eldest = it.next();
            boolean over = sessions.size() > maxSessions;
            if (!over && !expired(eldest.getValue(), now, idleMillis, absoluteMillis)) break;
            if (eldest.getKey().equals(id)) break;
            it.remove();
        }
    }

    @Override
    public synchronized void delete(String id) {
        sessions.remove(id);
    }

    public synchronized int size() {
        return sessions.size();
    }

    private static boolean expired(Entry e, long now, long idleMillis, long absoluteMillis) {
        return now - e.lastAccess > idleMillis || now - e.createdAt > absoluteMillis;
    }

    @Override
    public String describe() {
        return "memory session store '" + name + "'";
    }
}
