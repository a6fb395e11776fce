import java.nio.ByteBuffer;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;

/**
 * The baseline of bench/ws.sh: a WebSocket echo written directly on Undertow (no Lua, no service
 * host), with the I/O threads Apogee's Undertow server uses. Usage: java -cp LIBS RawUndertowEcho.java PORT
 */
public class RawUndertowEcho {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Undertow server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setHandler(Handlers.websocket((exchange, channel) -> {
                    channel.getReceiveSetter().set(new AbstractReceiveListener() {
                        @Override
                        protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                            WebSockets.sendText(message.getData(), ch, null);
                        }

                        @Override
                        protected void onFullBinaryMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                            try (var data = message.getData()) {
                                ByteBuffer[] parts = data.getResource();
                                int n = 0;
                                for (ByteBuffer b : parts) n += b.remaining();
                                ByteBuffer copy = ByteBuffer.allocate(n);
                                for (ByteBuffer b : parts) copy.put(b);
                                copy.flip();
                                WebSockets.sendBinary(copy, ch, null);
                            }
                        }
                    });
                    channel.resumeReceives();
                }))
                .build();
        server.start();
        System.out.println("raw Undertow echo on ws://127.0.0.1:" + port + "/");
    }
}
