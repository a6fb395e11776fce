package org.apogee.filters.staticfiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;

/**
 * {@code require "wsapi.filters.files"}: file-system questions the static and reload filters ask,
 * answered in Java (Lua has no {@code stat}).
 *
 * <pre>
 * files.lookup(root, relative)  -- { path=, size=, mtime= (ms), directory=bool } for a file or
 *                               -- folder inside root, or nil, reason ("missing", "outside", "hidden",
 *                               -- "invalid"); symbolic links may not lead outside root
 * files.mtime(path)             -- modification time in ms, or nil when the file is gone
 * files.http_date(ms)           -- "Sun, 06 Nov 1994 08:49:37 GMT"
 * files.parse_http_date(s)      -- ms, or nil when s is not an HTTP date
 * files.loaded()                -- { [path] = mtime } of the files this state loaded (require, dofile)
 * files.resolve(path)           -- the absolute, normalized path
 * local next, close = files.reader(path, first, length)
 *                               -- next() returns the bytes from offset first on, in chunks of up to
 *                               -- 64 KiB, length bytes in all, then nil; close() lets the file go
 *                               -- (also done at the end); offsets beyond 2 GiB work
 * </pre>
 *
 * Relative paths resolve against the state's working directory (the app's folder).
 */
public final class FilesModule {

    private FilesModule() {}

    public static LuaValue create(LuaState state) {
        LuaTable m = new LuaTable();
        m.set("lookup", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                return lookup(state, a.checkjstring(1), a.checkstring(2));
            }
        });
        m.set("mtime", new OneArgFunction() {
            @Override public LuaValue call(LuaValue path) {
                try {
                    return LuaValue.valueOf((double) Files.getLastModifiedTime(state.resolve(path.checkjstring())).toMillis());
                } catch (IOException e) {
                    return NIL;
                }
            }
        });
        m.set("http_date", new OneArgFunction() {
            @Override public LuaValue call(LuaValue ms) {
                return LuaValue.valueOf(httpDate((long) ms.checkdouble()));
            }
        });
        m.set("parse_http_date", new OneArgFunction() {
            @Override public LuaValue call(LuaValue s) {
                if (!s.isstring()) return NIL;
                try {
                    return LuaValue.valueOf((double) ZonedDateTime.parse(s.tojstring().trim(),
                            DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli());
                } catch (DateTimeParseException e) {
                    return NIL;
                }
            }
        });
        m.set("reader", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                return reader(state.resolve(a.checkjstring(1)), (long) a.checkdouble(2), (long) a.checkdouble(3));
            }
        });
        m.set("resolve", new OneArgFunction() {
            @Override public LuaValue call(LuaValue path) {
                return LuaValue.valueOf(state.resolve(path.checkjstring()).toString());
            }
        });
        m.set("loaded", new ZeroArgFunction() {
            @Override public LuaValue call() {
                LuaTable t = new LuaTable();
                for (Map.Entry<Path, Long> e : state.loadedFiles().entrySet()) {
                    t.set(e.getKey().toString(), LuaValue.valueOf((double) e.getValue()));
                }
                return t;
            }
        });
        return m;
    }

    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private static final int CHUNK = 64 * 1024;

    private static Varargs reader(Path path, long first, long length) {
        if (first < 0 || length < 0) throw new LuaError("files.reader: negative offset or length");
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new LuaError("cannot open " + path + ": " + e.getMessage());
        }
        final class Reader {
            long position = first;
            long left = length;
            boolean closed;

            void close() {
                if (closed) return;
                closed = true;
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing more to read from it anyway
                }
            }

            LuaValue next() {
                if (closed || left <= 0) {
                    close();
                    return LuaValue.NIL;
                }
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, left));
                try {
                    while (buf.hasRemaining()) {
                        int r = channel.read(buf, position + buf.position());
                        if (r < 0) break;
                    }
                } catch (IOException e) {
                    close();
                    throw new LuaError("cannot read " + path + ": " + e.getMessage());
                }
                int got = buf.position();
                if (got == 0) {
                    close();
                    return LuaValue.NIL;
                }
                position += got;
                left -= got;
                return LuaString.valueUsing(buf.array(), 0, got);
            }
        }
        Reader r = new Reader();
        return LuaValue.varargsOf(new ZeroArgFunction() {
            @Override public LuaValue call() {
                return r.next();
            }
        }, new ZeroArgFunction() {
            @Override public LuaValue call() {
                r.close();
                return NONE;
            }
        });
    }

    static String httpDate(long millis) {
        return IMF_FIXDATE.format(ZonedDateTime.ofInstant(Instant.ofEpochMilli(millis - Math.floorMod(millis, 1000L)), ZoneOffset.UTC));
    }

    private static Varargs lookup(LuaState state, String rootName, LuaString relative) {
        String rel = relative.tojstring();
        for (int i = 0; i < relative.m_length; i++) {
            if (relative.m_bytes[relative.m_offset + i] == 0) return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("invalid"));
        }
        for (String segment : rel.split("/")) {
            if (segment.equals("..") || segment.equals(".") || segment.contains("\\")) {
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("invalid"));
            }
            if (segment.startsWith(".")) return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("hidden"));
        }
        try {
            Path root = state.resolve(rootName).toRealPath();
            Path candidate = root.resolve(rel.startsWith("/") ? rel.substring(1) : rel).normalize();
            if (!candidate.startsWith(root)) return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("outside"));
            Path real = candidate.toRealPath();
            if (!real.startsWith(root)) return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("outside"));
            BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
            LuaTable t = new LuaTable();
            t.set("path", real.toString());
            t.set("size", LuaValue.valueOf((double) attrs.size()));
            t.set("mtime", LuaValue.valueOf((double) attrs.lastModifiedTime().toMillis()));
            t.set("directory", LuaValue.valueOf(attrs.isDirectory()));
            if (!attrs.isDirectory() && !attrs.isRegularFile()) return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("missing"));
            return t;
        } catch (NoSuchFileException e) {
            return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("missing"));
        } catch (IOException | RuntimeException e) {
            return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("missing"));
        }
    }
}
