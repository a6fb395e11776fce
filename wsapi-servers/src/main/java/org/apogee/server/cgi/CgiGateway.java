package org.apogee.server.cgi;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apogee.core.CgiVariables;
import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.core.WsapiRequest;

/**
 * Serves the one request of a CGI process: the environment and stdin become a core request
 * ({@link CgiVariables#forGateway}: {@code SCRIPT_NAME} is where this program is mounted,
 * {@code PATH_INFO} the path under it), the response goes to stdout as a CGI response.
 * stdin is read up to {@code CONTENT_LENGTH} only, as RFC 3875 asks.
 */
public final class CgiGateway {

    private CgiGateway() {}

    /** Serves the request of this process; false when the response could not be completed. */
    public static boolean serveProcess(HostConfig config) throws IOException {
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        boolean completed = serve(config, environment(), new FileInputStream(FileDescriptor.in), stdout);
        try {
            stdout.flush();
            return completed;
        } catch (IOException webServerGone) {
            return false;
        }
    }

    /** Serves one request from CGI variables and a request body stream to a CGI response stream. */
    public static boolean serve(HostConfig config, List<Map.Entry<String, String>> variables, InputStream stdin,
                                OutputStream stdout) throws IOException {
        long length = contentLength(variables);
        InputStream body = length > 0 ? new Bounded(stdin, length) : InputStream.nullInputStream();
        WsapiRequest request = CgiVariables.forGateway(variables, body);
        CgiSink sink = new CgiSink(stdout);
        WsapiHost host;
        try {
            host = new WsapiHost(config);
        } catch (IOException missing) {
            System.err.println("apogee cgi: " + missing.getMessage());
            stdout.write("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nThe application is missing.\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return false;
        }
        host.handle(request, sink);
        return sink.completed();
    }

    private static long contentLength(List<Map.Entry<String, String>> variables) {
        for (Map.Entry<String, String> e : variables) {
            if (e.getKey().equals("CONTENT_LENGTH")) {
                try {
                    return Long.parseLong(e.getValue().trim());
                } catch (NumberFormatException bad) {
                    return 0; // the core answers 400 to the malformed header
                }
            }
        }
        return 0;
    }

    /**
     * The process environment as bytes (ISO-8859-1 strings): read from /proc/self/environ where
     * there is one, because the JVM decodes {@link System#getenv()} with the locale's charset,
     * which under the C locale of most CGI hosts turns every non-ASCII byte into '?'.
     */
    static List<Map.Entry<String, String>> environment() {
        List<Map.Entry<String, String>> vars = new ArrayList<>();
        Path environ = Path.of("/proc/self/environ");
        try {
            byte[] all = Files.readAllBytes(environ);
            int start = 0;
            for (int i = 0; i <= all.length; i++) {
                if (i == all.length || all[i] == 0) {
                    int eq = -1;
                    for (int j = start; j < i; j++) {
                        if (all[j] == '=') {
                            eq = j;
                            break;
                        }
                    }
                    if (eq > start) {
                        vars.add(Map.entry(new String(all, start, eq - start, StandardCharsets.ISO_8859_1),
                                new String(all, eq + 1, i - eq - 1, StandardCharsets.ISO_8859_1)));
                    }
                    start = i + 1;
                }
            }
            return vars;
        } catch (IOException | UnsupportedOperationException noProc) {
            for (Map.Entry<String, String> e : System.getenv().entrySet()) {
                vars.add(Map.entry(latin1(e.getKey()), latin1(e.getValue())));
            }
            return vars;
        }
    }

    private static String latin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** stdin up to CONTENT_LENGTH bytes: a CGI program must not read further. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }
}
