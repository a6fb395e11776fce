package org.apogee.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import org.apogee.core.HostConfig;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.server.cgi.CgiGateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code apogee cgi}: serves the one request of a CGI process (environment and stdin in, a CGI
 * response on stdout). The {@code apogee-cgi} launcher runs it from a shebang line.
 */
@Command(name = "cgi", mixinStandardHelpOptions = true,
        description = {"Serves one CGI request: reads the CGI environment and stdin, writes a CGI response to stdout.",
                "SCRIPT_NAME is where this program is mounted; PATH_INFO is the path under it."})
public final class CgiCommand implements Callable<Integer> {

    @Option(names = "--max-body", defaultValue = "" + HostConfig.DEFAULT_MAX_BODY, description = "Largest request body in bytes (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--debug", description = "Show error details in error pages (development).")
    boolean debug;

    @Option(names = "--allow-java", description = "Give Lua code the luajava library (full Java access).")
    boolean allowJava;

    @Parameters(index = "0", paramLabel = "TARGET", description = "An app file (.lua or .ws), or a folder served in document-root mode.")
    Path target;

    /** A web server may add arguments (an ISINDEX query); like other CGI programs, this one ignores them. */
    @Parameters(index = "1..*", hidden = true)
    List<String> ignored;

    @Override
    public Integer call() throws Exception {
        return run(target, debug, allowJava, maxBody);
    }

    /**
     * The {@code apogee-cgi} launcher's entry point: the same options as {@code apogee cgi}, read
     * without the command-line library, whose start-up would cost more than the request itself.
     */
    public static void main(String[] args) throws Exception {
        boolean debug = false, allowJava = false;
        long maxBody = HostConfig.DEFAULT_MAX_BODY;
        Path target = null;
        for (int i = 0; i < args.length && target == null; i++) {
            switch (args[i]) {
                case "--debug" -> debug = true;
                case "--allow-java" -> allowJava = true;
                case "--max-body" -> maxBody = Long.parseLong(args[++i]);
                default -> {
                    if (args[i].startsWith("--max-body=")) {
                        maxBody = Long.parseLong(args[i].substring("--max-body=".length()));
                    } else if (args[i].startsWith("-")) {
                        System.err.println("apogee-cgi: unknown option " + args[i] + " (use: apogee-cgi [--debug] [--allow-java] [--max-body BYTES] TARGET)");
                        System.exit(2);
                    } else {
                        target = Path.of(args[i]);
                    }
                }
            }
        }
        if (target == null) {
            System.err.println("apogee-cgi: no TARGET (use: apogee-cgi [--debug] [--allow-java] [--max-body BYTES] TARGET, or #!/usr/bin/env apogee-cgi in an app file)");
            System.exit(2);
        }
        System.exit(run(target, debug, allowJava, maxBody));
    }

    /** Serves the request; stdout carries only the CGI response (Lua's print goes to stderr). */
    static int run(Path target, boolean debug, boolean allowJava, long maxBody) throws Exception {
        PrintStream stderr = System.err;
        System.setOut(stderr);
        HostConfig config = HostConfig.of(target).withInstances(1).withAcquireTimeout(Duration.ofSeconds(1))
                .withDebug(debug).withMaxBodyBytes(maxBody)
                .withLua(LuaRuntime.Options.fromProcess(null).withAllowJava(allowJava).withStdout(stderr));
        return CgiGateway.serveProcess(config) ? 0 : 1;
    }
}
