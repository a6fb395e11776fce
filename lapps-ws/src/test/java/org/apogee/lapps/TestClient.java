package org.apogee.lapps;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apogee.lapps.json.Cbor;

/** A real WebSocket client for the tests (the JDK's), collecting whole messages and the close code. */
final class TestClient implements WebSocket.Listener, AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Message(boolean text, byte[] data) {
        String string() {
            return new String(data, StandardCharsets.UTF_8);
        }

        Object cbor() {
            try {
                return Cbor.decode(data);
            } catch (Cbor.MalformedException e) {
                throw new AssertionError(e);
            }
        }
    }

    final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    volatile String closeReason;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final StringBuilder partialText = new StringBuilder();
    WebSocket socket;

    /** A LAppS request (with params when there are any). */
    static org.apogee.lapps.json.Json.JsonObject request(String method, Object... params) {
        var m = org.apogee.lapps.json.Json.object("lapps", 1L, "method", method);
        if (params.length > 0) m.put("params", org.apogee.lapps.json.Json.array(params));
        return m;
    }

    static TestClient connect(URI uri, String... subprotocols) throws Exception {
        TestClient c = new TestClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        c.socket = b.buildAsync(uri, c).get(10, TimeUnit.SECONDS);
        return c;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partialText.append(data);
        if (last) {
            messages.add(new Message(true, partialText.toString().getBytes(StandardCharsets.UTF_8)));
            partialText.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        partial.writeBytes(b);
        if (last) {
            messages.add(new Message(false, partial.toByteArray()));
            partial.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    void text(String s) {
        socket.sendText(s, true).join();
    }

    void binary(byte[] b) {
        socket.sendBinary(ByteBuffer.wrap(b), true).join();
    }

    void cbor(Object message) {
        binary(Cbor.encode(message));
    }

    Message next() throws InterruptedException {
        Message m = messages.poll(10, TimeUnit.SECONDS);
        assertNotNull(m, "no message within 10 s");
        return m;
    }

    Object nextCbor() throws InterruptedException {
        Message m = next();
        return m.cbor();
    }

    int awaitClose() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
                closed.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
    }
}
