package org.apogee.server.fastcgi;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A FastCGI client for tests, writing records byte by byte so that tests can also send what a
 * well-behaved front end never would (wrong types, stray ids, records cut anywhere).
 */
final class RawFastCgi implements AutoCloseable {

    static final int BEGIN_REQUEST = 1, END_REQUEST = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, STDERR = 7, GET_VALUES = 9;

    private final SocketChannel channel;
    private final OutputStream out;
    private final DataInputStream in;
    private static final ExecutorService READER = Executors.newVirtualThreadPerTaskExecutor();

    RawFastCgi(SocketAddress address) throws IOException {
        channel = SocketChannel.open(address);
        out = Channels.newOutputStream(channel);
        in = new DataInputStream(Channels.newInputStream(channel));
    }

    static byte[] record(int type, int id, byte[] content) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(1);
        o.write(type);
        o.write(id >> 8);
        o.write(id);
        o.write(content.length >> 8);
        o.write(content.length);
        o.write(0);
        o.write(0);
        o.writeBytes(content);
        return o.toByteArray();
    }

    static byte[] begin(int id, boolean keepConnection) {
        return record(BEGIN_REQUEST, id, new byte[] {0, 1, (byte) (keepConnection ? 1 : 0), 0, 0, 0, 0, 0});
    }

    static byte[] params(int id, Map<String, String> params) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : params.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            length(o, k.length);
            length(o, v.length);
            o.writeBytes(k);
            o.writeBytes(v);
        }
        return record(PARAMS, id, o.toByteArray());
    }

    private static void length(ByteArrayOutputStream o, int n) {
        if (n < 128) {
            o.write(n);
        } else {
            o.write(0x80 | (n >> 24));
            o.write(n >> 16);
            o.write(n >> 8);
            o.write(n);
        }
    }

    /** A whole request: BEGIN, PARAMS, empty PARAMS, STDIN (if any), empty STDIN. */
    static byte[] request(int id, boolean keepConnection, Map<String, String> params, byte[] body) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(begin(id, keepConnection));
        o.writeBytes(params(id, params));
        o.writeBytes(record(PARAMS, id, new byte[0]));
        if (body.length > 0) o.writeBytes(record(STDIN, id, body));
        o.writeBytes(record(STDIN, id, new byte[0]));
        return o.toByteArray();
    }

    /** Params as nginx sends them for a GET of {@code uri} split at {@code script}. */
    static Map<String, String> nginxParams(String method, String script, String pathInfo, String query) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("QUERY_STRING", query);
        p.put("REQUEST_METHOD", method);
        p.put("CONTENT_TYPE", "");
        p.put("CONTENT_LENGTH", "");
        p.put("SCRIPT_NAME", script);
        p.put("REQUEST_URI", script + pathInfo + (query.isEmpty() ? "" : "?" + query));
        p.put("DOCUMENT_URI", script + pathInfo);
        p.put("SERVER_PROTOCOL", "HTTP/1.1");
        p.put("REQUEST_SCHEME", "http");
        p.put("REMOTE_ADDR", "127.0.0.1");
        p.put("REMOTE_PORT", "40000");
        p.put("SERVER_PORT", "80");
        p.put("SERVER_NAME", "example.test");
        p.put("PATH_INFO", pathInfo);
        p.put("HTTP_HOST", "example.test");
        return p;
    }

    RawFastCgi send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A response as the front end receives it. */
    record Response(String stdout, String stderr, int appStatus) {
        String status() {
            return stdout.startsWith("Status: ") ? stdout.substring(8, stdout.indexOf('\r')) : "200";
        }

        String body() {
            int i = stdout.indexOf("\r\n\r\n");
            return i < 0 ? "" : stdout.substring(i + 4);
        }
    }

    /** Reads records up to END_REQUEST for {@code id}, within the time given. */
    Response read(int id, long timeoutMillis) throws Exception {
        Future<Response> f = READER.submit(() -> readResponse(id));
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("no complete response within " + timeoutMillis + " ms");
        }
    }

    private Response readResponse(int id) throws IOException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        while (true) {
            int version = in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int rid = in.readUnsignedShort();
            int length = in.readUnsignedShort();
            int padding = in.readUnsignedByte();
            in.readUnsignedByte();
            byte[] content = in.readNBytes(length);
            in.readNBytes(padding);
            if (version != 1 || rid != id) throw new IOException("unexpected record version " + version + " id " + rid);
            switch (type) {
                case STDOUT -> stdout.writeBytes(content);
                case STDERR -> stderr.writeBytes(content);
                case END_REQUEST -> {
                    int appStatus = ByteBuffer.wrap(content).getInt();
                    return new Response(stdout.toString(StandardCharsets.ISO_8859_1), stderr.toString(StandardCharsets.UTF_8), appStatus);
                }
                default -> throw new IOException("unexpected record type " + type);
            }
        }
    }

    /** True when the server closes the connection within the time given (and sends nothing first). */
    boolean closedWithin(long timeoutMillis) throws Exception {
        Future<Integer> f = READER.submit(() -> {
            InputStream raw = in;
            try {
                return raw.read();
            } catch (IOException reset) {
                return -1;
            }
        });
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS) == -1;
        } catch (TimeoutException e) {
            f.cancel(true);
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
