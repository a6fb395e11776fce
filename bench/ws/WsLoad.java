import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Load for bench/ws.sh (JDK only; run with the source launcher).
 *
 *   java WsLoad.java echo URL CONNECTIONS BYTES SECONDS
 *     each connection sends a BINARY message, waits for its echo and sends again; prints
 *     round_trips_per_s after a 3 s warm-up.
 *   java WsLoad.java idle HOST PORT TARGET COUNT FIRST_SOURCE SOURCES
 *     opens COUNT upgraded connections from 127.0.0.FIRST_SOURCE .. +SOURCES-1, prints
 *     "open N", then holds them until stdin closes.
 */
public class WsLoad {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo" -> echo(URI.create(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "idle" -> idle(args[1], Integer.parseInt(args[2]), args[3], Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]));
            default -> throw new IllegalArgumentException("echo or idle");
        }
    }

    static void echo(URI uri, int connections, int bytes, int seconds) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        LongAdder roundTrips = new LongAdder();
        byte[] payload = new byte[bytes];
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                    if (last) {
                        roundTrips.increment();
                        w.sendBinary(ByteBuffer.wrap(payload), true);
                    }
                    w.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            sockets.add(ws);
        }
        for (WebSocket ws : sockets) ws.sendBinary(ByteBuffer.wrap(payload), true);
        Thread.sleep(3000);
        long before = roundTrips.sum();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long n = roundTrips.sum() - before;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        System.out.printf("round_trips=%d seconds=%.2f round_trips_per_s=%.0f%n", n, elapsed, n / elapsed);
        for (WebSocket ws : sockets) ws.abort();
        System.exit(0);
    }

    static void idle(String host, int port, String target, int count, int firstSource, int sources) throws Exception {
        byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        List<SocketChannel> open = java.util.Collections.synchronizedList(new ArrayList<>(count));
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> openers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int t = 0; t < 16; t++) {
            openers.add(Thread.ofPlatform().start(() -> {
                ByteBuffer in = ByteBuffer.allocate(1024);
                int i;
                try {
                    while ((i = next.getAndIncrement()) < count && failure.get() == null) {
                        SocketChannel ch = SocketChannel.open();
                        if (sources > 0) ch.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + (firstSource + i % sources)), 0));
                        ch.connect(new InetSocketAddress(host, port));
                        ch.write(ByteBuffer.wrap(request));
                        in.clear();
                        String head = "";
                        while (!head.contains("\r\n\r\n")) {
                            if (ch.read(in) < 0) throw new IOException("closed during the handshake after " + open.size() + " connections");
                            head = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
                        }
                        if (!head.startsWith("HTTP/1.1 101")) throw new IOException("not upgraded: " + head);
                        open.add(ch);
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : openers) t.join();
        if (failure.get() != null) throw failure.get();
        System.out.println("open " + open.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until stdin closes
        }
        for (SocketChannel ch : open) ch.close();
    }
}
