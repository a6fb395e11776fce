package org.apogee.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

import org.apogee.core.lua.HttpError;
import org.apogee.core.lua.StreamSource;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Builds the WSAPI env table for one instance: CGI metavariables, {@code HTTP_*} headers,
 * {@code input} and {@code error}. Every undefined key reads {@code ""}. All values are Lua strings
 * made from the request's bytes, never through a character decoder.
 */
final class LuaEnv {

    private static final System.Logger APP_LOG = System.getLogger("apogee.app");
    private static final ConcurrentHashMap<String, LuaString> HEADER_KEYS = new ConcurrentHashMap<>();

    static final LuaString REQUEST_METHOD = LuaValue.valueOf("REQUEST_METHOD");
    static final LuaString QUERY_STRING = LuaValue.valueOf("QUERY_STRING");
    static final LuaString CONTENT_TYPE = LuaValue.valueOf("CONTENT_TYPE");
    static final LuaString CONTENT_LENGTH = LuaValue.valueOf("CONTENT_LENGTH");
    static final LuaString SCRIPT_NAME = LuaValue.valueOf("SCRIPT_NAME");
    static final LuaString PATH_INFO = LuaValue.valueOf("PATH_INFO");
    static final LuaString PATH_TRANSLATED = LuaValue.valueOf("PATH_TRANSLATED");
    static final LuaString SCRIPT_FILENAME = LuaValue.valueOf("SCRIPT_FILENAME");
    static final LuaString DOCUMENT_ROOT = LuaValue.valueOf("DOCUMENT_ROOT");
    static final LuaString APP_PATH = LuaValue.valueOf("APP_PATH");
    static final LuaString SERVER_NAME = LuaValue.valueOf("SERVER_NAME");
    static final LuaString SERVER_PORT = LuaValue.valueOf("SERVER_PORT");
    static final LuaString SERVER_PROTOCOL = LuaValue.valueOf("SERVER_PROTOCOL");
    static final LuaString SERVER_SOFTWARE = LuaValue.valueOf("SERVER_SOFTWARE");
    static final LuaString GATEWAY_INTERFACE = LuaValue.valueOf("GATEWAY_INTERFACE");
    static final LuaString REMOTE_ADDR = LuaValue.valueOf("REMOTE_ADDR");
    static final LuaString REMOTE_HOST = LuaValue.valueOf("REMOTE_HOST");
    static final LuaString REMOTE_PORT = LuaValue.valueOf("REMOTE_PORT");
    static final LuaString REQUEST_URI = LuaValue.valueOf("REQUEST_URI");
    static final LuaString HTTPS = LuaValue.valueOf("HTTPS");
    static final LuaString INPUT = LuaValue.valueOf("input");
    static final LuaString ERROR = LuaValue.valueOf("error");
    static final LuaString STATUS = LuaValue.valueOf("STATUS");
    private static final LuaString SOFTWARE = LuaValue.valueOf(HostConfig.SERVER_SOFTWARE);
    private static final LuaString CGI_11 = LuaValue.valueOf("CGI/1.1");
    private static final LuaString ON = LuaValue.valueOf("on");

    private final LuaTable envMeta = new LuaTable();
    private final ErrorOutput error;

    LuaEnv(String appName) {
        envMeta.set(LuaValue.INDEX, new TwoArgFunction() {
            @Override public LuaValue call(LuaValue env, LuaValue key) {
                return EMPTYSTRING;
            }
        });
        error = new ErrorOutput(appName);
    }

    /** Where a request landed: the script/path split and the files behind it. */
    record Target(byte[] scriptName, byte[] pathInfo, String scriptFilename, String documentRoot, String appPath) {}

    LuaTable build(WsapiRequest req, Target target, BodyInput input) {
        LuaTable env = new LuaTable(0, 32);
        env.rawset(REQUEST_METHOD, latin1(req.method()));
        env.rawset(QUERY_STRING, latin1(req.queryString()));
        env.rawset(SCRIPT_NAME, LuaString.valueUsing(target.scriptName()));
        byte[] pathInfo = target.pathInfo().length == 0 ? new byte[] {'/'} : target.pathInfo();
        env.rawset(PATH_INFO, LuaString.valueUsing(pathInfo));
        env.rawset(SCRIPT_FILENAME, utf8(target.scriptFilename()));
        env.rawset(PATH_TRANSLATED, concat(utf8(target.documentRoot()), pathInfo));
        env.rawset(DOCUMENT_ROOT, utf8(target.documentRoot()));
        env.rawset(APP_PATH, utf8(target.appPath()));
        env.rawset(SERVER_NAME, latin1(req.serverName()));
        env.rawset(SERVER_PORT, LuaValue.valueOf(Integer.toString(req.serverPort())));
        env.rawset(SERVER_PROTOCOL, latin1(req.protocol()));
        env.rawset(SERVER_SOFTWARE, SOFTWARE);
        env.rawset(GATEWAY_INTERFACE, CGI_11);
        env.rawset(REMOTE_ADDR, latin1(req.remoteAddress()));
        env.rawset(REMOTE_HOST, latin1(req.remoteAddress()));
        env.rawset(REMOTE_PORT, LuaValue.valueOf(Integer.toString(req.remotePort())));
        if (req.frontEnd() != null && req.frontEnd().requestUri() != null) {
            env.rawset(REQUEST_URI, latin1(req.frontEnd().requestUri()));
        } else {
            String uri = req.mountPath() + req.rawPath();
            env.rawset(REQUEST_URI, latin1(req.queryString().isEmpty() ? uri : uri + "?" + req.queryString()));
        }
        if ("https".equalsIgnoreCase(req.scheme())) env.rawset(HTTPS, ON);
        for (Header h : req.headers()) {
            String name = h.name();
            if (name.equalsIgnoreCase("Content-Type")) {
                env.rawset(CONTENT_TYPE, latin1(h.value()));
                continue;
            }
            if (name.equalsIgnoreCase("Content-Length")) {
                env.rawset(CONTENT_LENGTH, latin1(h.value()));
                continue;
            }
            LuaString key = HEADER_KEYS.computeIfAbsent(name, LuaEnv::headerKey);
            LuaValue old = env.rawget(key);
            if (old.isnil()) {
                env.rawset(key, latin1(h.value()));
            } else {
                // Cookie headers are split on ';' by wsapi.request, so repeats join with "; "
                String sep = name.equalsIgnoreCase("Cookie") ? "; " : ", ";
                env.rawset(key, LuaValue.valueOf(old.tojstring() + sep + h.value()));
            }
        }
        env.rawset(INPUT, input);
        env.rawset(ERROR, error);
        env.setmetatable(envMeta);
        return env;
    }

    private static LuaString headerKey(String name) {
        return LuaValue.valueOf("HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    static LuaString latin1(String s) {
        return LuaString.valueUsing(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static LuaString utf8(String s) {
        return LuaString.valueUsing(s.getBytes(StandardCharsets.UTF_8));
    }

    private static LuaString concat(LuaString a, byte[] b) {
        byte[] out = new byte[a.length() + b.length];
        a.copyInto(0, out, 0, a.length());
        System.arraycopy(b, 0, out, a.length(), b.length);
        return LuaString.valueUsing(out);
    }

    /** Thrown when the request body cannot be read (client gone, malformed chunked encoding). */
    static final class BodyReadError extends HttpError {
        BodyReadError(IOException cause) {
            super(400, "error reading the request body: " + cause.getMessage());
        }
    }

    /** Thrown when a request body exceeds the configured limit. */
    static final class BodyTooLarge extends HttpError {
        BodyTooLarge(long limit) {
            super(413, "request body exceeds the limit of " + limit + " bytes");
        }
    }

    /**
     * {@code env.input}: {@code read(n)} blocks until it has {@code n} bytes or the body ends,
     * returns nil at the end; {@code read()} reads CONTENT_LENGTH bytes; {@code read("*a")} the rest.
     */
    static final class BodyInput extends LuaUserdata implements StreamSource {
        private static final LuaString READ = LuaValue.valueOf("read");
        private static final LuaString LENGTH = LuaValue.valueOf("length");
        private static final LuaValue READ_FN = new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                if (!(args.arg1() instanceof BodyInput in)) throw new LuaError("bad self for input:read (use input:read, not input.read)");
                return in.read(args.arg(2));
            }
        };

        private final InputStream stream;
        private final long declaredLength;
        private final long limit;
        private long consumed;
        private boolean ended;

        BodyInput(InputStream stream, long declaredLength, long limit) {
            super(stream);
            this.stream = stream;
            this.declaredLength = declaredLength;
            this.limit = limit;
        }

        @Override public LuaValue get(LuaValue key) {
            if (READ.raweq(key)) return READ_FN;
            if (LENGTH.raweq(key)) return LuaValue.valueOf(Math.max(0, declaredLength));
            return NIL;
        }

        @Override public String tojstring() {
            return "wsapi input";
        }

        /** The body as a Java stream, still counted against the limit (for parsers in Java). */
        @Override
        public InputStream asStream() {
            return new InputStream() {
                @Override public int read() {
                    byte[] one = readUpTo(1);
                    return one.length == 0 ? -1 : one[0] & 0xff;
                }

                @Override public int read(byte[] b, int off, int len) {
                    if (len == 0) return 0;
                    if (ended) return -1;
                    try {
                        int r = stream.read(b, off, len);
                        if (r < 0) {
                            ended = true;
                            return -1;
                        }
                        account(r);
                        return r;
                    } catch (IOException e) {
                        throw new BodyReadError(e);
                    }
                }
            };
        }

        Varargs read(LuaValue what) {
            long n;
            if (what.isnil()) {
                n = Math.max(0, declaredLength);
            } else if (what.isnumber()) {
                n = what.tolong();
            } else {
                String fmt = what.tojstring();
                if (fmt.equals("*a") || fmt.equals("a")) n = Long.MAX_VALUE;
                else throw new LuaError("input:read: unsupported format '" + fmt + "' (use a byte count or \"*a\")");
            }
            if (n <= 0 || ended) return NIL;
            byte[] bytes = readUpTo(n);
            if (bytes.length == 0) return n == Long.MAX_VALUE ? EMPTYSTRING : NIL;
            return LuaString.valueUsing(bytes);
        }

        private byte[] readUpTo(long n) {
            try {
                if (n == Long.MAX_VALUE) {
                    byte[] all = stream.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit - consumed + 1));
                    account(all.length);
                    ended = true;
                    return all;
                }
                int want = (int) Math.min(n, Integer.MAX_VALUE - 8);
                byte[] bytes = stream.readNBytes(want);
                account(bytes.length);
                if (bytes.length < want) ended = true;
                return bytes;
            } catch (IOException e) {
                throw new BodyReadError(e);
            }
        }

        private void account(int n) {
            consumed += n;
            if (consumed > limit) throw new BodyTooLarge(limit);
        }
    }

    /** {@code env.error}: {@code write(...)} goes to the server log, tagged with the app name. */
    static final class ErrorOutput extends LuaUserdata {
        private static final LuaString WRITE = LuaValue.valueOf("write");
        private static final LuaString FLUSH = LuaValue.valueOf("flush");
        private static final LuaValue WRITE_FN = new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                if (!(args.arg1() instanceof ErrorOutput out)) throw new LuaError("bad self for error:write (use error:write, not error.write)");
                StringBuilder sb = new StringBuilder();
                for (int i = 2; i <= args.narg(); i++) sb.append(args.arg(i).checkjstring());
                out.log(sb.toString());
                return args.arg1();
            }
        };
        private static final LuaValue FLUSH_FN = new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) { return args.arg1(); }
        };
        private final String appName;

        ErrorOutput(String appName) {
            super(appName);
            this.appName = appName;
        }

        @Override public LuaValue get(LuaValue key) {
            if (WRITE.raweq(key)) return WRITE_FN;
            if (FLUSH.raweq(key)) return FLUSH_FN;
            return NIL;
        }

        void log(String message) {
            String m = message.endsWith("\n") ? message.substring(0, message.length() - 1) : message;
            if (!m.isEmpty()) APP_LOG.log(System.Logger.Level.WARNING, "[" + appName + "] " + m);
        }
    }
}
