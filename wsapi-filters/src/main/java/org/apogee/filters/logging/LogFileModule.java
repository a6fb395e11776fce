package org.apogee.filters.logging;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;

/**
 * {@code require "wsapi.filters.logfile"}: shared log files and the clock the logging filter needs.
 *
 * <pre>
 * local log = logfile.open("logs/access.log", 0.2) -- relative to the state's working directory;
 *                                              -- "stderr" or "stdout" for those streams; lines wait
 *                                              -- at most 0.2 s to be written (0, the default: none)
 * log:write(line)                              -- appends line and a newline, atomically
 * log:flush()                                  -- writes what waits
 * local f = logfile.format('%h "%r" %>s %b')    -- an access-log format (see AccessLogFormat)
 * f:line(env, status, bytes, microseconds, headers)  -- one line for one request
 * logfile.time_local()                         -- "[10/Oct/2000:13:55:36 +0000]", as in Apache's %t
 * logfile.clock()                              -- a monotonic clock, in microseconds
 * </pre>
 */
public final class LogFileModule {

    private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("'['dd/MMM/yyyy:HH:mm:ss Z']'", Locale.ROOT);
    private static final ZoneId ZONE = ZoneId.systemDefault();
    private record Stamp(long second, LuaString text) {}
    private static volatile Stamp stamp = new Stamp(Long.MIN_VALUE, LuaValue.valueOf(""));

    private LogFileModule() {}

    public static LuaValue create(LuaState state) {
        LuaTable m = new LuaTable();
        m.set("open", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue name, LuaValue delay) {
                String n = name.checkjstring();
                double seconds = delay.optdouble(0);
                if (!(seconds >= 0)) throw new LuaError("logfile.open: the delay must be a number of seconds >= 0");
                LogFile f = switch (n) {
                    case "stderr" -> LogFile.stderr();
                    case "stdout" -> LogFile.stdout();
                    default -> {
                        try {
                            yield LogFile.at(state.resolve(n));
                        } catch (IllegalArgumentException e) {
                            throw new LuaError(e.getMessage());
                        }
                    }
                };
                return writer(f, n, (long) (seconds * 1000));
            }
        });
        m.set("format", new OneArgFunction() {
            @Override public LuaValue call(LuaValue format) {
                AccessLogFormat f;
                try {
                    f = AccessLogFormat.compile(format.checkjstring());
                } catch (IllegalArgumentException e) {
                    throw new LuaError(e.getMessage() + " in the log format '" + format.tojstring() + "'");
                }
                LuaTable o = new LuaTable();
                o.set("source", f.source());
                o.set("line", new VarArgFunction() {
                    @Override public Varargs invoke(Varargs a) {
                        return LuaString.valueUsing(f.format(new AccessLogFormat.Entry(a.arg(2), a.arg(3),
                                (long) a.optdouble(4, 0), (long) a.optdouble(5, 0), a.arg(6))));
                    }
                });
                return o;
            }
        });
        m.set("time_local", new ZeroArgFunction() {
            @Override public LuaValue call() {
                return timeLocal();
            }
        });
        m.set("clock", new ZeroArgFunction() {
            @Override public LuaValue call() {
                return LuaValue.valueOf((double) (System.nanoTime() / 1000));
            }
        });
        return m;
    }

    /** The current time as Apache's %t shows it, formatted once per second. */
    static LuaString timeLocal() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = stamp;
        if (s.second() != second) {
            s = new Stamp(second, LuaValue.valueOf(CLF.format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), ZONE))));
            stamp = s;
        }
        return s.text();
    }

    private static LuaTable writer(LogFile f, String name, long delayMillis) {
        LuaTable o = new LuaTable();
        o.set("name", name);
        o.set("write", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                LuaString line = a.checkstring(2);
                byte[] b = new byte[line.m_length + 1];
                System.arraycopy(line.m_bytes, line.m_offset, b, 0, line.m_length);
                b[line.m_length] = '\n';
                f.write(b, 0, b.length, delayMillis);
                return NONE;
            }
        });
        o.set("flush", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                f.flush();
                return NONE;
            }
        });
        return o;
    }
}
