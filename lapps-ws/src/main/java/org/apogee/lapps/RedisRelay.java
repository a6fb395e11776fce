package org.apogee.lapps;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Broadcasts between Apogee nodes over Redis pub/sub: every broadcast of this node is published on
 * {@code apogee:<topic>}, and what the other nodes publish is delivered to this node's subscribers.
 * Two plain RESP connections (one publishes, one listens); each message carries the sending node's
 * id so a node does not deliver its own broadcasts twice. A lost connection is re-established every
 * second; broadcasts published meanwhile reach this node's subscribers only.
 *
 * <p>URL: {@code redis://[:password@]host[:port]}.
 */
final class RedisRelay implements Broadcasts.Relay {

    private static final System.Logger LOG = System.getLogger("apogee.lapps");
    private static final String PREFIX = "apogee:";

    private final String host;
    private final int port;
    private final String password;
    private final LappsHost target;
    private final long nodeId = ThreadLocalRandom.current().nextLong();
    private final Object publishLock = new Object();
    private volatile boolean closed;
    private Socket publisher;
    private Socket subscriber;
    private final Thread listener;

    private RedisRelay(String host, int port, String password, LappsHost target) {
        this.host = host;
        this.port = port;
        this.password = password;
        this.target = target;
        this.listener = Thread.ofPlatform().daemon().name("lapps-redis").unstarted(this::listen);
    }

    /** Connects (the first subscription is in place when this returns) or throws IllegalArgumentException. */
    static RedisRelay connect(String url, LappsHost target) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("redis URL " + url + ": " + e.getMessage());
        }
        if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("redis URL must look like redis://host:port, not " + url);
        }
        String password = null;
        if (uri.getUserInfo() != null) {
            String info = uri.getUserInfo();
            password = info.contains(":") ? info.substring(info.indexOf(':') + 1) : info;
        }
        RedisRelay relay = new RedisRelay(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), password, target);
        try {
            relay.subscriber = relay.subscribe();
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to Redis at " + url + ": " + e.getMessage(), e);
        }
        relay.listener.start();
        LOG.log(System.Logger.Level.INFO, "broadcasts relayed through Redis at " + uri.getHost() + ":" + relay.port);
        return relay;
    }

    @Override
    public void publish(String topic, byte[] message) {
        byte[] payload = ByteBuffer.allocate(8 + message.length).putLong(nodeId).put(message).array();
        byte[] command = command("PUBLISH", (PREFIX + topic).getBytes(StandardCharsets.UTF_8), payload);
        synchronized (publishLock) {
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    if (publisher == null) publisher = open();
                    publisher.getOutputStream().write(command);
                    readReply(publisher.getInputStream());
                    return;
                } catch (IOException e) {
                    closeQuietly(publisher);
                    publisher = null;
                    if (attempt == 1) LOG.log(System.Logger.Level.WARNING, "Redis publish failed: " + e.getMessage());
                }
            }
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setTcpNoDelay(true);
        if (password != null) {
            s.getOutputStream().write(command("AUTH", password.getBytes(StandardCharsets.UTF_8)));
            readReply(s.getInputStream());
        }
        return s;
    }

    private Socket subscribe() throws IOException {
        Socket s = open();
        InputStream in = new BufferedInputStream(s.getInputStream());
        s.getOutputStream().write(command("PSUBSCRIBE", (PREFIX + "*").getBytes(StandardCharsets.UTF_8)));
        readReply(in); // the subscription confirmation
        s.setSoTimeout(0);
        this.subscriberIn = in;
        return s;
    }

    private InputStream subscriberIn;

    private void listen() {
        while (!closed) {
            try {
                while (!closed) {
                    Object reply = readReply(subscriberIn);
                    if (reply instanceof List<?> parts && parts.size() == 4 && "pmessage".equals(text(parts.get(0)))
                            && parts.get(2) instanceof byte[] channel && parts.get(3) instanceof byte[] payload && payload.length >= 8) {
                        if (ByteBuffer.wrap(payload, 0, 8).getLong() == nodeId) continue;
                        String topic = new String(channel, StandardCharsets.UTF_8).substring(PREFIX.length());
                        byte[] message = java.util.Arrays.copyOfRange(payload, 8, payload.length);
                        target.relayed(topic, message);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (closed) return;
                LOG.log(System.Logger.Level.WARNING, "Redis subscription lost (" + e.getMessage() + "); reconnecting");
                closeQuietly(subscriber);
                while (!closed) {
                    try {
                        Thread.sleep(1000);
                        subscriber = subscribe();
                        break;
                    } catch (IOException again) {
                        // keep trying
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(subscriber);
        synchronized (publishLock) {
            closeQuietly(publisher);
        }
        listener.interrupt();
        if (listener != Thread.currentThread() && listener.isAlive()) {
            try {
                listener.join(2000); // no thread left behind when a web application is undeployed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            if (s != null) s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    /** A RESP array of bulk strings. */
    static byte[] command(String name, byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.writeBytes(("*" + (args.length + 1) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        bulk(out, name.getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) bulk(out, a);
        return out.toByteArray();
    }

    private static void bulk(ByteArrayOutputStream out, byte[] b) {
        out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(b);
        out.writeBytes(new byte[] {'\r', '\n'});
    }

    /** Reads one RESP value: String (simple), Long, byte[] (bulk, null when absent) or List. An error reply throws. */
    static Object readReply(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) throw new IOException("connection closed by Redis");
        String line = line(in);
        switch (type) {
            case '+': return line;
            case '-': throw new IOException("Redis error: " + line);
            case ':': return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) return null;
                byte[] b = in.readNBytes(n);
                if (b.length != n) throw new IOException("connection closed by Redis");
                line(in);
                return b;
            }
            case '*': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>(Math.max(0, n));
                for (int i = 0; i < n; i++) items.add(readReply(in));
                return items;
            }
            default: throw new IOException("unexpected Redis reply type '" + (char) type + "'");
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) throw new IOException("connection closed by Redis");
            sb.append((char) c);
        }
        if (in.read() != '\n') throw new IOException("malformed Redis reply");
        return sb.toString();
    }
}
