package org.apogee.filters.logging;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * An access-log format in Apache's directives, compiled once and applied to each request in Java
 * (formatting a line in Lua costs more than the rest of the logging filter together).
 *
 * <p>{@code %h} remote address, {@code %a} the same, {@code %l} "-", {@code %u} REMOTE_USER,
 * {@code %t} time, {@code %r} request line, {@code %s}/{@code %>s} status, {@code %b} body bytes
 * ("-" for none), {@code %B} body bytes, {@code %D} microseconds, {@code %T} seconds, {@code %m}
 * method, {@code %U} path as requested, {@code %q} query ("?..." or ""), {@code %H} protocol,
 * {@code %v} server name, {@code %p} port, {@code %{Name}i} a request header, {@code %{Name}o} a
 * response header, {@code %%} a "%". Quotes, backslashes and control bytes in values are escaped as
 * Apache does ({@code \"}, {@code \\}, {@code \xNN}).
 */
public final class AccessLogFormat {

    /** What one line is made of. */
    public record Entry(LuaValue env, LuaValue status, long bytes, long elapsedMicros, LuaValue headers) {}

    private interface Part {
        void append(ByteArrayOutputStream out, Entry e);
    }

    private static final LuaString REMOTE_ADDR = LuaValue.valueOf("REMOTE_ADDR");
    private static final LuaString REMOTE_USER = LuaValue.valueOf("REMOTE_USER");
    private static final LuaString REQUEST_METHOD = LuaValue.valueOf("REQUEST_METHOD");
    private static final LuaString REQUEST_URI = LuaValue.valueOf("REQUEST_URI");
    private static final LuaString SCRIPT_NAME = LuaValue.valueOf("SCRIPT_NAME");
    private static final LuaString PATH_INFO = LuaValue.valueOf("PATH_INFO");
    private static final LuaString QUERY_STRING = LuaValue.valueOf("QUERY_STRING");
    private static final LuaString SERVER_PROTOCOL = LuaValue.valueOf("SERVER_PROTOCOL");
    private static final LuaString SERVER_NAME = LuaValue.valueOf("SERVER_NAME");
    private static final LuaString SERVER_PORT = LuaValue.valueOf("SERVER_PORT");
    private static final byte[] DASH = {'-'};

    private final String source;
    private final Part[] parts;

    private AccessLogFormat(String source, Part[] parts) {
        this.source = source;
        this.parts = parts;
    }

    public String source() {
        return source;
    }

    /** Compiles {@code format}; an unknown directive is an {@link IllegalArgumentException} naming it. */
    public static AccessLogFormat compile(String format) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0, n = format.length();
        while (i < n) {
            char c = format.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 < n && format.charAt(i + 1) == '{') {
                int close = format.indexOf('}', i + 2);
                if (close < 0 || close + 1 >= n || "io".indexOf(format.charAt(close + 1)) < 0) {
                    throw new IllegalArgumentException("unknown directive '" + format.substring(i, Math.min(n, close < 0 ? n : close + 2))
                            + "' (use %{Name}i for a request header, %{Name}o for a response header)");
                }
                flush(literal, parts);
                String name = format.substring(i + 2, close);
                parts.add(format.charAt(close + 1) == 'i' ? requestHeader(name) : responseHeader(name));
                i = close + 2;
                continue;
            }
            int d = i + 1;
            if (d < n && format.charAt(d) == '>') d++;
            if (d >= n) throw new IllegalArgumentException("unknown directive '%' at the end of the format");
            char directive = format.charAt(d);
            if (directive == '%') {
                literal.append('%');
            } else {
                Part p = simple(directive);
                if (p == null) throw new IllegalArgumentException("unknown directive '%" + directive + "'");
                flush(literal, parts);
                parts.add(p);
            }
            i = d + 1;
        }
        flush(literal, parts);
        return new AccessLogFormat(format, parts.toArray(new Part[0]));
    }

    private static void flush(StringBuilder literal, List<Part> parts) {
        if (literal.isEmpty()) return;
        byte[] b = literal.toString().getBytes(StandardCharsets.UTF_8);
        literal.setLength(0);
        parts.add((out, e) -> out.write(b, 0, b.length));
    }

    /** The line for one request, without the newline. */
    public byte[] format(Entry e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        for (Part p : parts) p.append(out, e);
        return out.toByteArray();
    }

    private static Part simple(char d) {
        return switch (d) {
            case 'h', 'a' -> (out, e) -> dash(out, e.env().get(REMOTE_ADDR));
            case 'l' -> (out, e) -> out.write('-');
            case 'u' -> (out, e) -> dash(out, e.env().get(REMOTE_USER));
            case 't' -> (out, e) -> raw(out, LogFileModule.timeLocal());
            case 'r' -> (out, e) -> {
                LuaValue env = e.env();
                escaped(out, env.get(REQUEST_METHOD));
                out.write(' ');
                LuaValue uri = env.get(REQUEST_URI);
                if (uri.isstring() && uri.length() > 0) {
                    escaped(out, uri);
                } else {
                    escaped(out, env.get(SCRIPT_NAME));
                    escaped(out, env.get(PATH_INFO));
                    LuaValue q = env.get(QUERY_STRING);
                    if (q.isstring() && q.length() > 0) {
                        out.write('?');
                        escaped(out, q);
                    }
                }
                out.write(' ');
                escaped(out, env.get(SERVER_PROTOCOL));
            };
            case 's' -> (out, e) -> ascii(out, statusCode(e.status()));
            case 'b' -> (out, e) -> {
                if (e.bytes() == 0) out.write('-');
                else ascii(out, Long.toString(e.bytes()));
            };
            case 'B' -> (out, e) -> ascii(out, Long.toString(e.bytes()));
            case 'D' -> (out, e) -> ascii(out, Long.toString(e.elapsedMicros()));
            case 'T' -> (out, e) -> ascii(out, Long.toString(e.elapsedMicros() / 1_000_000));
            case 'm' -> (out, e) -> escaped(out, e.env().get(REQUEST_METHOD));
            case 'U' -> (out, e) -> {
                LuaValue uri = e.env().get(REQUEST_URI);
                if (uri.isstring() && uri.length() > 0) {
                    LuaString s = uri.strvalue();
                    int q = s.indexOf((byte) '?', 0);
                    escaped(out, q < 0 ? s : s.substring(0, q));
                } else {
                    escaped(out, e.env().get(SCRIPT_NAME));
                    escaped(out, e.env().get(PATH_INFO));
                }
            };
            case 'q' -> (out, e) -> {
                LuaValue q = e.env().get(QUERY_STRING);
                if (q.isstring() && q.length() > 0) {
                    out.write('?');
                    escaped(out, q);
                }
            };
            case 'H' -> (out, e) -> escaped(out, e.env().get(SERVER_PROTOCOL));
            case 'v' -> (out, e) -> dash(out, e.env().get(SERVER_NAME));
            case 'p' -> (out, e) -> dash(out, e.env().get(SERVER_PORT));
            default -> null;
        };
    }

    private static Part requestHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        LuaString key = LuaValue.valueOf(lower.equals("content-type") ? "CONTENT_TYPE"
                : lower.equals("content-length") ? "CONTENT_LENGTH"
                : "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        return (out, e) -> dash(out, e.env().get(key));
    }

    private static Part responseHeader(String name) {
        return (out, e) -> {
            LuaValue headers = e.headers();
            LuaValue found = LuaValue.NIL;
            if (headers.istable()) {
                LuaValue k = LuaValue.NIL;
                while (true) {
                    Varargs next = headers.next(k);
                    if ((k = next.arg1()).isnil()) break;
                    if (k.isstring() && k.tojstring().equalsIgnoreCase(name)) {
                        found = next.arg(2);
                        break;
                    }
                }
            }
            if (found.istable()) {
                int len = found.length();
                if (len == 0) {
                    out.write('-');
                    return;
                }
                for (int i = 1; i <= len; i++) {
                    if (i > 1) ascii(out, ", ");
                    escaped(out, found.get(i));
                }
                return;
            }
            dash(out, found);
        };
    }

    static String statusCode(LuaValue status) {
        if (status.type() == LuaValue.TNUMBER) return Long.toString(status.tolong());
        if (status.type() == LuaValue.TSTRING) {
            String s = status.tojstring().trim();
            if (s.length() >= 3 && Character.isDigit(s.charAt(0)) && Character.isDigit(s.charAt(1)) && Character.isDigit(s.charAt(2))) {
                return s.substring(0, 3);
            }
        }
        return "500";
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        for (int i = 0; i < s.length(); i++) out.write(s.charAt(i));
    }

    private static void raw(ByteArrayOutputStream out, LuaString s) {
        out.write(s.m_bytes, s.m_offset, s.m_length);
    }

    private static void dash(ByteArrayOutputStream out, LuaValue v) {
        if (v.isnil() || (v.isstring() && v.length() == 0)) {
            out.write(DASH, 0, 1);
            return;
        }
        escaped(out, v);
    }

    private static void escaped(ByteArrayOutputStream out, LuaValue v) {
        if (v.isnil()) return;
        LuaString s = v.isstring() ? v.strvalue() : LuaValue.valueOf(v.tojstring());
        byte[] b = s.m_bytes;
        for (int i = s.m_offset, end = s.m_offset + s.m_length; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '"' || c == '\\') {
                out.write('\\');
                out.write(c);
            } else if (c < 0x20 || c >= 0x7f) {
                out.write('\\');
                out.write('x');
                out.write(Character.forDigit(c >> 4, 16));
                out.write(Character.forDigit(c & 15, 16));
            } else {
                out.write(c);
            }
        }
    }
}
