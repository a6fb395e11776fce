package org.apogee.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apogee.core.lua.ErrorText;
import org.apogee.core.lua.LuaExit;
import org.apogee.core.lua.HttpError;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Calls a WSAPI app and drives its answer into a {@link ResponseSink}: validates the status and
 * headers, takes the first chunk before the headers go out (so an early error is still a clean
 * 500), then streams and flushes each chunk as the iterator produces it.
 */
final class ResponseDriver {

    private static final System.Logger LOG = System.getLogger("apogee");

    private final WsapiRequest req;
    private final ResponseSink sink;
    private final String appName;
    private final boolean debug;

    ResponseDriver(WsapiRequest req, ResponseSink sink, String appName, boolean debug) {
        this.req = req;
        this.sink = sink;
        this.appName = appName;
        this.debug = debug;
    }

    /** The app's response, at the wire. Returns false when the Lua state should not be reused. */
    boolean run(LuaValue app, LuaTable env) throws IOException {
        int status;
        String reason;
        List<Header> headers;
        long contentLength;
        LuaValue iterator;
        LuaString first;
        try {
            Varargs triple = app.invoke(env);
            LuaValue s = triple.arg1();
            status = statusCode(s);
            reason = reasonPhrase(s, status);
            headers = headers(triple.arg(2));
            contentLength = contentLength(headers);
            iterator = triple.arg(3);
            if (!iterator.isnil() && !iterator.isfunction() && iterator.getmetatable() == null) {
                throw new LuaError("the response iterator must be a function (got " + iterator.typename() + ")");
            }
            first = next(iterator);
        } catch (LuaError | StackOverflowError | LuaExit e) {
            failBeforeHeaders(e);
            return !(e instanceof StackOverflowError) && !(e instanceof LuaExit);
        }
        boolean head = req.method().equals("HEAD");
        sink.start(status, reason, headers, contentLength, head);
        if (head) {
            sink.finish();
            return true;
        }
        long written = 0;
        LuaString chunk = first;
        try {
            while (chunk != null) {
                if (chunk.length() > 0) {
                    sink.write(chunk.m_bytes, chunk.m_offset, chunk.m_length);
                    sink.flush();
                    written += chunk.m_length;
                }
                chunk = next(iterator);
            }
        } catch (LuaError | StackOverflowError | LuaExit e) {
            LOG.log(System.Logger.Level.ERROR, "[" + appName + "] error after the headers were sent: " + details(e));
            if (contentLength >= 0) {
                sink.abort(e);
                return false;
            }
            if (debug) {
                byte[] banner = ("\n======== WSAPI ERROR DURING RESPONSE PROCESSING: \n<pre>"
                        + ErrorPages.escape(details(e)) + "\n</pre>").getBytes(StandardCharsets.UTF_8);
                sink.write(banner, 0, banner.length);
            }
            sink.finish();
            return !(e instanceof StackOverflowError) && !(e instanceof LuaExit);
        }
        if (contentLength >= 0 && written != contentLength) {
            LOG.log(System.Logger.Level.ERROR, "[" + appName + "] sent " + written + " body bytes but declared Content-Length "
                    + contentLength + "; closing the connection");
            sink.abort(new IOException("Content-Length mismatch"));
            return true;
        }
        sink.finish();
        return true;
    }

    /** The next chunk, or null at the end. Numbers are chunks too; nil or false ends the body. */
    private static LuaString next(LuaValue iterator) {
        if (iterator.isnil()) return null;
        LuaValue v = iterator.call();
        if (v.isnil() || v == LuaValue.FALSE) return null;
        if (v.type() == LuaValue.TSTRING) return (LuaString) v;
        if (v.isnumber()) return v.strvalue();
        throw new LuaError("the response iterator returned a " + v.typename() + "; chunks must be strings");
    }

    private void failBeforeHeaders(Throwable e) throws IOException {
        if (e instanceof HttpError h) {
            LOG.log(System.Logger.Level.INFO, "[" + appName + "] " + h.status() + ": " + h.reason());
            List<Header> extra = h.status() == 413 || h instanceof LuaEnv.BodyReadError
                    ? List.of(new Header("Connection", "close")) : List.of();
            sendPage(sink, req, h.status(), h.reason(), null, extra);
            return;
        }
        if (e instanceof LuaError le && le.getMessageObject() instanceof LuaTable t && t.get(1).toint() == 404) {
            String msg = t.get(2).isnil() ? "Not found." : WsapiHost.text(t.get(2));
            sendPage(sink, req, 404, msg, null, List.of());
            return;
        }
        String msg = details(e);
        LOG.log(System.Logger.Level.ERROR, "[" + appName + "] " + msg);
        sendPage(sink, req, 500, "The application failed while handling this request.", debug ? msg : null, List.of());
    }

    static String details(Throwable e) {
        if (e instanceof LuaExit x) return "the application called os.exit(" + x.status() + ")";
        return ErrorText.of(e);
    }

    /** An Apogee-made HTML page (errors, redirects). */
    static void sendPage(ResponseSink sink, WsapiRequest req, int status, String message, String detail,
                         List<Header> extra) throws IOException {
        byte[] body = ErrorPages.page(status, message, detail);
        List<Header> headers = new ArrayList<>(extra.size() + 1);
        headers.add(new Header("Content-Type", "text/html; charset=utf-8"));
        headers.addAll(extra);
        boolean head = req.method().equals("HEAD");
        sink.start(status, ErrorPages.reason(status), headers, body.length, head);
        if (!head) sink.write(body, 0, body.length);
        sink.finish();
    }

    static int statusCode(LuaValue s) {
        if (s.type() == LuaValue.TNUMBER) {
            double d = s.todouble();
            if (d != Math.floor(d) || d < 100 || d > 999) throw new LuaError("invalid response status " + s.tojstring());
            return (int) d;
        }
        if (s.type() == LuaValue.TSTRING) {
            String str = s.tojstring().trim();
            if (str.length() >= 3 && Character.isDigit(str.charAt(0)) && Character.isDigit(str.charAt(1))
                    && Character.isDigit(str.charAt(2)) && (str.length() == 3 || str.charAt(3) == ' ')) {
                int code = Integer.parseInt(str.substring(0, 3));
                if (code >= 100) return code;
            }
        }
        throw new LuaError("invalid response status " + (s.isstring() ? "'" + s.tojstring() + "'" : s.typename())
                + ": use a number or a string such as \"200 OK\"");
    }

    private static String reasonPhrase(LuaValue s, int code) {
        if (s.type() == LuaValue.TSTRING) {
            String str = s.tojstring().trim();
            if (str.length() > 4) {
                String reason = str.substring(4).trim();
                if (!reason.isEmpty() && reason.chars().noneMatch(c -> c == '\r' || c == '\n')) return reason;
            }
        }
        return ErrorPages.reason(code);
    }

    /** Header table to lines: string or number values, or arrays of them (one line each). */
    static List<Header> headers(LuaValue table) {
        List<Header> out = new ArrayList<>(8);
        if (table.isnil()) return out;
        if (!table.istable()) throw new LuaError("the response headers must be a table (got " + table.typename() + ")");
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs n = table.next(k);
            if ((k = n.arg1()).isnil()) break;
            LuaValue v = n.arg(2);
            if (!k.isstring() || k.isnumber()) throw new LuaError("response header names must be strings (got " + k.typename() + ")");
            String name = k.tojstring();
            checkName(name);
            if (v.istable()) {
                for (int i = 1, len = v.length(); i <= len; i++) out.add(new Header(name, value(name, v.get(i))));
            } else {
                out.add(new Header(name, value(name, v)));
            }
        }
        return dedupe(out);
    }

    private static String value(String name, LuaValue v) {
        if (!v.isstring()) throw new LuaError("response header '" + name + "' has a " + v.typename() + " value; use a string");
        LuaString s = v.strvalue();
        char[] chars = new char[s.length()];
        for (int i = 0; i < chars.length; i++) {
            int b = s.luaByte(i);
            if (b == '\r' || b == '\n' || b == 0) {
                throw new LuaError("response header '" + name + "' contains a CR, LF or NUL character: refused");
            }
            chars[i] = (char) b;
        }
        return new String(chars);
    }

    private static void checkName(String name) {
        if (name.isEmpty()) throw new LuaError("empty response header name");
        if (!isToken(name)) throw new LuaError("invalid response header name '" + name + "'");
    }

    /** A non-empty RFC 9110 token: what a header name or a request method must be. */
    static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) return false;
        }
        return true;
    }

    /**
     * wsapi.response adds "Content-Type" when the app wrote "Content-type": keep one line, the app's
     * own spelling, for Content-Type and Content-Length.
     */
    private static List<Header> dedupe(List<Header> in) {
        for (String canonical : new String[] {"Content-Type", "Content-Length"}) {
            int count = 0;
            for (Header h : in) if (h.name().equalsIgnoreCase(canonical)) count++;
            if (count < 2) continue;
            Header keep = null;
            for (Header h : in) {
                if (h.name().equalsIgnoreCase(canonical) && (keep == null || keep.name().equals(canonical))) keep = h;
            }
            List<Header> out = new ArrayList<>(in.size());
            for (Header h : in) if (!h.name().equalsIgnoreCase(canonical) || h == keep) out.add(h);
            in = out;
        }
        return in;
    }

    private static long contentLength(List<Header> headers) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Content-Length")) {
                try {
                    long n = Long.parseLong(h.value().trim());
                    if (n >= 0) return n;
                } catch (NumberFormatException e) {
                    // fall through
                }
                throw new LuaError("invalid Content-Length header '" + h.value() + "'");
            }
        }
        return -1;
    }
}
