package org.apogee.filters.session;

/**
 * Where sessions live between requests, shared by every Lua state of the process (and, for Redis,
 * by every node). Data is opaque bytes ({@link SessionCodec}); expiry is the store's job:
 * a session unused for {@code idleMillis}, or older than {@code absoluteMillis}, is gone.
 *
 * <p>Implementations are thread-safe. A store that cannot be reached throws
 * {@link SessionStoreUnavailable}; it never blocks longer than its configured timeouts.
 */
public interface SessionStore {

    /** A stored session: its data and when it was created (epoch milliseconds). */
    record Stored(byte[] data, long createdAt) {}

    /** The session, refreshed for idle expiry, or null when there is none or it expired. */
    Stored load(String id, long idleMillis, long absoluteMillis);

    /** Stores (or replaces) a session. */
    void save(String id, byte[] data, long createdAt, long idleMillis, long absoluteMillis);

    void delete(String id);

    /** For logs and messages, e.g. {@code memory store 'default'}. */
    String describe();
}
