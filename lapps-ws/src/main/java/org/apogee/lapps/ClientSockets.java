package org.apogee.lapps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Outbound WebSockets for Lua (the {@code cws} preload and {@code apogee.websocket}): the JDK's
 * WebSocket client, with events (open, message, close, error) queued for the Lua thread that owns
 * this pool, which runs the callbacks when it polls. {@code wss://} verifies the server's
 * certificate and host name against the JVM's trusted authorities, or against a CA file given in
 * the options; only {@code insecure} turns that off.
 */
final class ClientSockets {

    /** How to connect. */
    record Options(List<String> protocols, Path ca, boolean insecure, Duration timeout) {
        static final Options DEFAULT = new Options(List.of(), null, false, Duration.ofSeconds(10));
    }

    enum Kind { OPEN, MESSAGE, CLOSE, ERROR }

    record Event(Client socket, Kind kind, boolean text, byte[] data, int code, String reason) {}

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final ConcurrentHashMap<String, HttpClient> CLIENTS = new ConcurrentHashMap<>();

    final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

    /** Opens a connection (blocking up to the timeout); its OPEN event is queued first. Throws IOException with the reason. */
    Client connect(String uri, Options options) throws IOException {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad URI " + uri + ": " + e.getMessage());
        }
        if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme()) || u.getHost() == null) {
            throw new IOException("the URI must be ws://host[:port]/path or wss://..., not " + uri);
        }
        Client s = new Client(this);
        WebSocket.Builder b = client(options).newWebSocketBuilder().connectTimeout(options.timeout())
                .header("Origin", ("wss".equals(u.getScheme()) ? "https://" : "http://") + u.getHost());
        if (!options.protocols().isEmpty()) {
            b.subprotocols(options.protocols().get(0), options.protocols().subList(1, options.protocols().size()).toArray(String[]::new));
        }
        try {
            s.ws = b.buildAsync(u, s).get(options.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException("cannot connect to " + uri + ": " + describe(cause), cause);
        } catch (TimeoutException e) {
            throw new IOException("cannot connect to " + uri + ": timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        s.sent = CompletableFuture.completedFuture(s.ws);
        return s;
    }

    private static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof javax.net.ssl.SSLException) return "TLS: " + c.getMessage();
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException || c instanceof java.nio.channels.ClosedChannelException) {
                return "connection refused";
            }
        }
        String m = t.getMessage();
        while (t.getCause() != null && (m == null || m.isEmpty())) {
            t = t.getCause();
            m = t.getMessage();
        }
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** Runs {@code handler} for each queued event; waits up to {@code waitMillis} for the first one. Returns how many ran. */
    int poll(long waitMillis, Consumer<Event> handler) throws InterruptedException {
        Event e = waitMillis <= 0 ? events.poll() : events.poll(waitMillis, TimeUnit.MILLISECONDS);
        int n = 0;
        while (e != null) {
            handler.accept(e);
            n++;
            e = events.poll();
        }
        return n;
    }

    private static HttpClient client(Options o) throws IOException {
        String key = o.insecure() ? "insecure" : o.ca() == null ? "default" : "ca:" + o.ca().toAbsolutePath();
        try {
            return CLIENTS.computeIfAbsent(key, k -> {
                HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(o.timeout());
                try {
                    if (o.insecure()) b.sslContext(trustAll());
                    else if (o.ca() != null) b.sslContext(trusting(o.ca()));
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
                return b.build();
            });
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** A TLS context that trusts the certificates of a PEM file (and verifies host names). */
    private static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        int i = 0;
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : cf.generateCertificates(in)) ks.setCertificateEntry("ca" + i++, c);
        } catch (IOException e) {
            throw new IOException("cannot read the CA file " + pem + ": " + e.getMessage(), e);
        }
        if (i == 0) throw new IOException("no certificate in the CA file " + pem);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static SSLContext trustAll() throws GeneralSecurityException {
        TrustManager none = new X509ExtendedTrustManager() {
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {none}, null);
        return ctx;
    }

    /** One outbound connection. Sends are chained so they go out in order, one at a time. */
    static final class Client implements WebSocket.Listener {
        final int id = IDS.incrementAndGet();
        private final ClientSockets owner;
        WebSocket ws;
        CompletableFuture<WebSocket> sent;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final StringBuilder partialText = new StringBuilder();
        volatile boolean ended;

        Client(ClientSockets owner) {
            this.owner = owner;
        }

        String subprotocol() {
            String p = ws.getSubprotocol();
            return p == null || p.isEmpty() ? null : p;
        }

        /** Queues a message; false when the connection is closing or gone. */
        synchronized boolean send(boolean text, byte[] data) {
            if (ended || ws.isOutputClosed()) return false;
            String s = null;
            if (text) {
                try {
                    s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(data)).toString();
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
            String textData = s;
            sent = sent.thenCompose(w -> text ? w.sendText(textData, true) : w.sendBinary(ByteBuffer.wrap(data), true));
            return true;
        }

        synchronized void close(int code, String reason) {
            if (ws.isOutputClosed()) return;
            sent = sent.thenCompose(w -> w.sendClose(code, reason));
        }

        void abort() {
            ended = true;
            ws.abort();
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            // queued here, before any message the server sends at once
            owner.events.add(new Event(this, Kind.OPEN, false, null, 0, null));
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partialText.append(data);
            if (last) {
                owner.events.add(new Event(this, Kind.MESSAGE, true, partialText.toString().getBytes(StandardCharsets.UTF_8), 0, null));
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
                owner.events.add(new Event(this, Kind.MESSAGE, false, partial.toByteArray(), 0, null));
                partial.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended = true;
            owner.events.add(new Event(this, Kind.CLOSE, false, null, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended = true;
            owner.events.add(new Event(this, Kind.ERROR, false, null, 1006, describe(error)));
        }
    }
}
