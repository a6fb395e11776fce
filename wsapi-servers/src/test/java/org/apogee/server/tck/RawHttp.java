package org.apogee.server.tck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket client for what java.net.http cannot send: raw request targets (dot segments),
 * interleaved request and response, half-sent requests.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    /** Over a connected socket: a plain one, or a TLS socket from {@link ServerUnderTest.Running#connect()}. */
    public RawHttp(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public RawHttp send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Reads until {@code marker} has arrived; returns everything read so far. */
    public String readUntil(String marker, StringBuilder seen) throws IOException {
        byte[] buf = new byte[8192];
        while (seen.indexOf(marker) < 0) {
            int r = in.read(buf);
            if (r < 0) break;
            seen.append(new String(buf, 0, r, StandardCharsets.ISO_8859_1));
        }
        return seen.toString();
    }

    /** Reads until the server closes the connection (or the timeout). */
    public String readAll() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int r;
            while ((r = in.read(buf)) > 0) all.write(buf, 0, r);
        } catch (SocketTimeoutException e) {
            // return what arrived
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends one request with "Connection: close" and returns the whole response. */
    public static String exchange(int port, String requestHead) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            return http.send(requestHead).readAll();
        }
    }

    /** Like {@link #exchange(int, String)}, over the connection the server under test asks for. */
    public static String exchange(ServerUnderTest.Running server, String requestHead) throws IOException {
        try (RawHttp http = new RawHttp(server.connect())) {
            return http.send(requestHead).readAll();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
