import io.undertow.Undertow;
import io.undertow.util.Headers;

/**
 * The baseline for bench/http.sh: plain Undertow answering "Hello World!" on its I/O threads,
 * with as many I/O threads as Apogee's server uses. Run with the JDK's source launcher:
 * {@code java -cp <apogee runtime classpath> bench/RawUndertow.java PORT}.
 */
public class RawUndertow {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int cores = Runtime.getRuntime().availableProcessors();
        Undertow server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setIoThreads(Math.max(2, cores))
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                    exchange.getResponseSender().send("Hello World!");
                })
                .build();
        server.start();
        System.out.println("raw Undertow on http://127.0.0.1:" + port + "/");
    }
}
