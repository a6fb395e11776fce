package org.apogee.server.fastcgi;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apogee.core.CgiVariables;
import org.apogee.core.WsapiRequest;
import org.eclipse.jetty.fcgi.FCGI;
import org.eclipse.jetty.fcgi.parser.ServerParser;
import org.eclipse.jetty.http.HttpField;

/**
 * One connection from the front end. Jetty's {@link ServerParser} reads the records; this class
 * only keeps the order they must come in: a request's BEGIN_REQUEST and PARAMS, then the request
 * runs on this thread while its STDIN is read on demand (the app's {@code env.input}), then any
 * STDIN the app left is skipped. A connection is kept for the next request only when the front
 * end asked for it (FCGI_KEEP_CONN, nginx's {@code fastcgi_keep_conn on}).
 *
 * <p>Anything out of order (an unknown record type, a second request on the connection while one
 * runs, a role other than responder, records for another request id, STDIN before the end of the
 * parameters, more than {@value #MAX_PARAMS_BYTES} bytes of parameters, a connection closed in the
 * middle of a request) closes the connection; other connections are not affected.
 */
final class FastCgiConnection {

    private static final System.Logger LOG = System.getLogger("apogee");
    private static final int KEEP_CONN = 1;
    /** All of a request's parameters together; nginx's are a few KiB. */
    static final int MAX_PARAMS_BYTES = 1024 * 1024;

    private final FastCgiServer server;
    private final SocketChannel channel;
    private final ServerParser parser = new ServerParser(new Listener());
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    private volatile long blockedSince;
    private volatile boolean busy;
    private Exchange current;
    private String failure;

    FastCgiConnection(FastCgiServer server, SocketChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    /** One request as it arrives. */
    private static final class Exchange {
        final int id;
        final boolean keepConnection;
        final List<Map.Entry<String, String>> params = new ArrayList<>(40);
        final ArrayDeque<ByteBuffer> stdin = new ArrayDeque<>();
        int paramsBytes;
        boolean paramsDone;
        boolean stdinDone;

        Exchange(int id, boolean keepConnection) {
            this.id = id;
            this.keepConnection = keepConnection;
        }
    }

    void serve() {
        try {
            while (!server.stopping()) {
                Exchange exchange = nextRequest();
                if (exchange == null) return;
                busy = true;
                server.requestStarted();
                try {
                    WsapiRequest request = CgiVariables.forScripts(exchange.params, new Body(exchange));
                    FastCgiSink sink = new FastCgiSink(this, exchange.id);
                    server.host().handle(request, sink);
                    if (!sink.completed()) return;
                    skipRestOfStdin(exchange);
                } finally {
                    server.requestEnded();
                    busy = false;
                }
                if (!exchange.keepConnection) return;
            }
        } catch (ProtocolError e) {
            LOG.log(System.Logger.Level.WARNING, "closing a FastCGI connection: " + e.getMessage());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "FastCGI connection ended: " + e);
        } finally {
            close();
        }
    }

    /** Reads until a request's PARAMS are complete; null when the front end closed the connection between requests. */
    private Exchange nextRequest() throws IOException {
        current = null;
        while (current == null || !current.paramsDone) {
            if (!pump()) {
                if (current == null && !in.hasRemaining()) return null;
                throw new ProtocolError("the front end closed the connection in the middle of a request");
            }
        }
        return current;
    }

    private void skipRestOfStdin(Exchange exchange) throws IOException {
        while (!exchange.stdinDone) {
            exchange.stdin.clear();
            if (!pump()) throw new EOFException("the front end closed the connection before the end of STDIN");
        }
    }

    /** Parses what is buffered, reading more first when nothing is; false at the end of the stream. */
    private boolean pump() throws IOException {
        if (!in.hasRemaining()) {
            in.clear();
            int n;
            blockedSince = System.nanoTime() | 1;
            try {
                n = channel.read(in);
            } finally {
                blockedSince = 0;
                in.flip();
            }
            if (n < 0) return false;
        }
        parser.parse(in);
        if (failure != null) throw new ProtocolError(failure);
        return true;
    }

    /** Writes whole buffers (a response's records) to the front end. */
    void write(List<ByteBuffer> buffers) throws IOException {
        ByteBuffer[] array = buffers.toArray(ByteBuffer[]::new);
        blockedSince = System.nanoTime() | 1;
        try {
            long remaining = 0;
            for (ByteBuffer b : array) remaining += b.remaining();
            while (remaining > 0) remaining -= channel.write(array);
        } finally {
            blockedSince = 0;
        }
    }

    boolean blockedLongerThan(long now, long nanos) {
        long since = blockedSince;
        return since != 0 && now - since > nanos;
    }

    void closeIfIdle() {
        if (!busy) close();
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // already gone
        }
        server.closed(this);
    }

    /** What the parser reports, checked against the one request this connection may carry at a time. */
    private final class Listener implements ServerParser.Listener {
        @Override
        public void onStart(int request, FCGI.Role role, int flags) {
            if (current != null) {
                fail("a second request (id " + request + ") while request " + current.id
                        + " is running; multiplexed connections are not supported");
            } else if (role != FCGI.Role.RESPONDER) {
                fail("role " + role + " is not supported; Apogee is a FastCGI responder");
            } else {
                current = new Exchange(request, (flags & KEEP_CONN) != 0);
            }
        }

        @Override
        public void onHeader(int request, HttpField field) {
            if (!belongs(request, "PARAMS")) return;
            String name = bytes(field.getName()), value = bytes(field.getValue());
            current.paramsBytes += name.length() + value.length();
            if (current.paramsDone) {
                fail("PARAMS record after the end of the parameters");
            } else if (current.paramsBytes > MAX_PARAMS_BYTES) {
                fail("more than " + MAX_PARAMS_BYTES + " bytes of parameters");
            } else {
                current.params.add(Map.entry(name, value));
            }
        }

        @Override
        public boolean onHeaders(int request) {
            if (belongs(request, "PARAMS")) current.paramsDone = true;
            return true;
        }

        @Override
        public boolean onContent(int request, FCGI.StreamType stream, ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            if (!belongs(request, "STDIN")) return true;
            if (!current.paramsDone) {
                fail("STDIN before the end of the parameters");
            } else if (!current.stdinDone) {
                current.stdin.add(ByteBuffer.wrap(bytes));
            }
            return true;
        }

        @Override
        public boolean onEnd(int request) {
            if (belongs(request, "STDIN")) current.stdinDone = true;
            return true;
        }

        @Override
        public void onFailure(int request, Throwable cause) {
            fail("malformed record: " + cause.getMessage());
        }

        private boolean belongs(int request, String record) {
            if (current == null || current.id != request) {
                fail(record + " record for request " + request + ", which was not begun");
                return false;
            }
            return true;
        }

        private void fail(String message) {
            if (failure == null) failure = message;
        }
    }

    /** The parser decodes names and values as UTF-8; the core wants the bytes, one char each. */
    private static String bytes(String utf8) {
        for (int i = 0; i < utf8.length(); i++) {
            if (utf8.charAt(i) >= 0x80) {
                return new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return utf8;
    }

    /** The request's STDIN, read from the connection as the app asks for it. */
    private final class Body extends InputStream {
        private final Exchange exchange;

        Body(Exchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (true) {
                ByteBuffer chunk = exchange.stdin.peek();
                if (chunk != null && chunk.hasRemaining()) {
                    int n = Math.min(len, chunk.remaining());
                    chunk.get(b, off, n);
                    return n;
                }
                if (chunk != null) {
                    exchange.stdin.poll();
                    continue;
                }
                if (exchange.stdinDone) return -1;
                if (!pump()) throw new EOFException("the front end closed the connection in the middle of the request body");
            }
        }
    }

    /** A front end that breaks the protocol; the connection is closed. */
    private static final class ProtocolError extends IOException {
        ProtocolError(String message) {
            super(message);
        }
    }
}
