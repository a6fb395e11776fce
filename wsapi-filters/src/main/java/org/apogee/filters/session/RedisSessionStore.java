package org.apogee.filters.session;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apogee.core.ShutdownHooks;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.SetParams;

/**
 * Sessions in Redis, so that several Apogee nodes share them. One connection pool per distinct
 * configuration, shared by every Lua state of the process.
 *
 * <p>Each session is one key, {@code prefix + id}, whose value is the creation time (8 bytes) and
 * the encoded data, and whose TTL is the idle timeout (refreshed by every read, {@code GETEX}).
 * Connect and command timeouts are short; when Redis cannot be reached the store fails fast for a
 * moment instead of making every request wait for a timeout again.
 */
public final class RedisSessionStore implements SessionStore {

    private static final System.Logger LOG = System.getLogger("apogee.session");
    private static final ConcurrentHashMap<Config, RedisSessionStore> SHARED = new ConcurrentHashMap<>();
    /** After a failure, calls fail at once for this long. */
    private static final long BACKOFF_MILLIS = 1000;

    /**
     * @param uri             {@code redis://[user:password@]host[:port][/database]}
     * @param prefix          key prefix, e.g. {@code apogee:session:}
     * @param connectTimeout  TCP connect timeout
     * @param commandTimeout  socket read timeout for one command
     * @param poolSize        most connections open at once; a request waits at most the connect timeout for one
     */
    public record Config(URI uri, String prefix, Duration connectTimeout, Duration commandTimeout, int poolSize) {
        public Config {
            Objects.requireNonNull(uri, "uri");
            if (!"redis".equals(uri.getScheme())) throw new IllegalArgumentException("the Redis URL must start with redis:// (got " + uri + ")");
            if (uri.getHost() == null) throw new IllegalArgumentException("the Redis URL has no host: " + uri);
            prefix = prefix == null ? "apogee:session:" : prefix;
            if (poolSize < 1) throw new IllegalArgumentException("pool must be at least 1, got " + poolSize);
        }
    }

    private final Config config;
    private final RedisClient client;
    private final String where;
    private volatile long failingUntil;
    private volatile long lastLogged;

    private RedisSessionStore(Config config) {
        this.config = config;
        URI uri = config.uri();
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        this.where = "redis at " + uri.getHost() + ":" + port;
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) config.connectTimeout().toMillis())
                .socketTimeoutMillis((int) config.commandTimeout().toMillis())
                .clientName("apogee-session");
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            String user = colon < 0 ? "" : decode(info.substring(0, colon));
            String password = decode(colon < 0 ? info : info.substring(colon + 1));
            if (!user.isEmpty()) client.user(user);
            client.password(password);
        }
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                client.database(Integer.parseInt(path.substring(1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the Redis URL's path must be a database number (got " + path + ")");
            }
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(config.poolSize());
        pool.setMaxIdle(config.poolSize());
        pool.setMaxWait(config.connectTimeout());
        pool.setBlockWhenExhausted(true);
        // JMX registration starts the platform MBean server: seconds of startup for nothing here
        pool.setJmxEnabled(false);
        this.client = RedisClient.builder()
                .hostAndPort(new HostAndPort(uri.getHost(), port))
                .clientConfig(client.build())
                .poolConfig(pool)
                .build();
    }

    /** The process-wide store for this configuration (one pool per distinct configuration). */
    public static RedisSessionStore shared(Config config) {
        return SHARED.computeIfAbsent(config, c -> {
            RedisSessionStore store = new RedisSessionStore(c);
            // the pool's connections belong to this class loader: closed when Apogee stops
            ShutdownHooks.register("the session store at " + store.where, () -> {
                SHARED.remove(c, store);
                store.client.close();
            });
            return store;
        });
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private byte[] key(String id) {
        return (config.prefix() + id).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Stored load(String id, long idleMillis, long absoluteMillis) {
        byte[] value = call("read", () -> client.getEx(key(id), GetExParams.getExParams().px(Math.max(1, idleMillis))));
        if (value == null || value.length < 8) return null;
        long createdAt = ByteBuffer.wrap(value, 0, 8).getLong();
        if (System.currentTimeMillis() - createdAt > absoluteMillis) {
            delete(id);
            return null;
        }
        byte[] data = new byte[value.length - 8];
        System.arraycopy(value, 8, data, 0, data.length);
        return new Stored(data, createdAt);
    }

    @Override
    public void save(String id, byte[] data, long createdAt, long idleMillis, long absoluteMillis) {
        long remaining = absoluteMillis - (System.currentTimeMillis() - createdAt);
        long ttl = Math.max(1, Math.min(idleMillis, remaining));
        byte[] value = ByteBuffer.allocate(8 + data.length).putLong(createdAt).put(data).array();
        call("write", () -> client.set(key(id), value, SetParams.setParams().px(ttl)));
    }

    @Override
    public void delete(String id) {
        call("delete", () -> client.del(key(id)));
    }

    @Override
    public String describe() {
        return "redis session store (" + where + ")";
    }

    private interface Command<T> {
        T run();
    }

    private <T> T call(String what, Command<T> command) {
        long now = System.currentTimeMillis();
        if (now < failingUntil) throw new SessionStoreUnavailable();
        try {
            return command.run();
        } catch (JedisException e) {
            if (e instanceof JedisConnectionException) failingUntil = System.currentTimeMillis() + BACKOFF_MILLIS;
            if (now - lastLogged > 5000) {
                lastLogged = now;
                LOG.log(System.Logger.Level.ERROR, "the session store is unavailable: " + where + ", " + what + " failed: "
                        + rootMessage(e) + (e instanceof JedisConnectionException ? " (failing fast for a second; logged at most every 5 s)" : ""));
            }
            throw new SessionStoreUnavailable();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
