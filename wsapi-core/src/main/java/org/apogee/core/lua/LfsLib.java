package org.apogee.core.lua;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;

/**
 * {@code require "lfs"}: LuaFileSystem's API on java.nio. Relative paths resolve against the
 * state's virtual working directory, and {@code lfs.chdir} changes that directory (the JVM has one
 * process-wide directory it cannot change). Failures return {@code nil}, the C library's message
 * ({@code "No such file or directory"}) and its errno, as LuaFileSystem does.
 *
 * <p>Differences from the C library: {@code attributes} has no {@code blocks}/{@code blksize}
 * ({@code dev}, {@code ino}, {@code nlink}, {@code uid}, {@code gid}, {@code rdev} and
 * {@code change} come from the JDK's unix attribute view, so only where it exists);
 * {@code lfs.dir} reads the directory when it is opened; {@code lock}/{@code unlock} take
 * {@link FileChannel} locks, which other processes see as {@code fcntl} locks, and which also
 * exclude other Lua states of the same server; {@code lock_dir} uses a plain lock file.
 */
final class LfsLib {

    private LfsLib() {}

    private static final String[] ATTRIBUTE_NAMES = {
            "mode", "dev", "ino", "nlink", "uid", "gid", "rdev", "access", "modification", "change", "size",
            "permissions", "blocks", "blksize"};

    static LuaValue create(LuaState state) {
        LuaTable lfs = new LuaTable();
        lfs.set("attributes", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return attributes(state, args, true);
            }
        });
        lfs.set("symlinkattributes", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return attributes(state, args, false);
            }
        });
        lfs.set("chdir", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String name = args.checkjstring(1);
                Path p = state.resolve(name);
                String why = Files.isDirectory(p) ? null : Files.exists(p) ? "Not a directory" : "No such file or directory";
                if (why != null) {
                    return varargsOf(NIL, valueOf("Unable to change working directory to '" + name + "'\n" + why + "\n"));
                }
                state.chdir(p);
                return TRUE;
            }
        });
        lfs.set("currentdir", new ZeroArgFunction() {
            @Override public LuaValue call() {
                return valueOf(state.cwd().toString());
            }
        });
        lfs.set("dir", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String name = args.checkjstring(1);
                Dir dir = Dir.open(state.resolve(name), name);
                return varargsOf(Dir.ITERATOR, dir.handle);
            }
        });
        lfs.set("mkdir", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                Path p = state.resolve(args.checkjstring(1));
                try {
                    Files.createDirectory(p);
                    return TRUE;
                } catch (IOException e) {
                    return failure(e);
                }
            }
        });
        lfs.set("rmdir", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                Path p = state.resolve(args.checkjstring(1));
                try {
                    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        return varargsOf(NIL, valueOf("Not a directory"), valueOf(20));
                    }
                    Files.delete(p);
                    return TRUE;
                } catch (IOException e) {
                    return failure(e);
                }
            }
        });
        lfs.set("touch", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                Path p = state.resolve(args.checkjstring(1));
                FileTime now = FileTime.fromMillis(System.currentTimeMillis());
                FileTime atime = args.isnoneornil(2) ? now : seconds(args.checkdouble(2));
                FileTime mtime = args.isnoneornil(3) ? (args.isnoneornil(2) ? now : atime) : seconds(args.checkdouble(3));
                try {
                    if (!Files.exists(p)) throw new NoSuchFileException(p.toString());
                    Files.getFileAttributeView(p, BasicFileAttributeView.class).setTimes(mtime, atime, null);
                    return TRUE;
                } catch (IOException e) {
                    return failure(e);
                }
            }
        });
        lfs.set("link", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String old = args.checkjstring(1);
                Path link = state.resolve(args.checkjstring(2));
                try {
                    if (args.arg(3).toboolean()) {
                        // the target is stored as written, as symlink(2) does
                        Files.createSymbolicLink(link, Path.of(old));
                    } else {
                        Files.createLink(link, state.resolve(old));
                    }
                    return TRUE;
                } catch (IOException | UnsupportedOperationException e) {
                    return e instanceof IOException io ? failure(io)
                            : varargsOf(NIL, valueOf("Operation not supported"), valueOf(95));
                }
            }
        });
        lfs.set("lock", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                RandomAccessFile file = fileOf(args.arg1(), "lock");
                String mode = args.checkjstring(2);
                long start = (long) args.optdouble(3, 0);
                long length = (long) args.optdouble(4, 0);
                if (!mode.startsWith("r") && !mode.startsWith("w")) throw new LuaError("lock: invalid mode");
                return Locks.lock(file.getChannel(), mode.startsWith("r"), start, length);
            }
        });
        lfs.set("unlock", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                RandomAccessFile file = fileOf(args.arg1(), "unlock");
                long start = (long) args.optdouble(2, 0);
                long length = (long) args.optdouble(3, 0);
                return Locks.unlock(file.getChannel(), start, length);
            }
        });
        lfs.set("lock_dir", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                Path dir = state.resolve(args.checkjstring(1));
                double stale = args.optdouble(2, Double.NaN);
                return DirLock.acquire(dir.resolve("lockfile.lfs"), stale);
            }
        });
        lfs.set("setmode", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String mode = args.optjstring(2, "binary");
                if (!mode.equals("binary") && !mode.equals("text")) {
                    throw new LuaError("bad argument #2 to 'setmode' (invalid mode '" + mode + "')");
                }
                // files have no text mode on the JVM: bytes pass unchanged
                return varargsOf(TRUE, valueOf("binary"));
            }
        });
        lfs.set("_VERSION", "LuaFileSystem 1.8.0");
        lfs.set("_DESCRIPTION", "LuaFileSystem's API on java.nio (Apogee)");
        return lfs;
    }

    private static FileTime seconds(double s) {
        return FileTime.fromMillis((long) (s * 1000));
    }

    // ---------------------------------------------------------------------------------------------
    // attributes

    private static Varargs attributes(LuaState state, Varargs args, boolean follow) {
        String name = args.checkjstring(1);
        Path p = state.resolve(name);
        LuaValue request = args.arg(2);
        if (!request.isnil() && !request.istable() && !request.isstring()) {
            throw new LuaError("bad argument #2 to '" + (follow ? "attributes" : "symlinkattributes")
                    + "' (string or table expected, got " + request.typename() + ")");
        }
        if (request.isstring()) {
            String wanted = request.tojstring();
            if (!isAttributeName(wanted) && !(wanted.equals("target") && !follow)) {
                throw new LuaError("invalid attribute name '" + wanted + "'");
            }
        }
        LuaTable t;
        try {
            t = stat(p, follow);
        } catch (IOException e) {
            Varargs f = failure(e);
            return LuaValue.varargsOf(LuaValue.NIL,
                    LuaValue.valueOf("cannot obtain information from file '" + name + "': " + f.arg(2).tojstring()), f.arg(3));
        }
        if (request.isstring()) return t.get(request);
        if (request.istable()) {
            LuaTable into = (LuaTable) request;
            for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) into.set(k, t.get(k));
            return into;
        }
        return t;
    }

    private static boolean isAttributeName(String n) {
        for (String a : ATTRIBUTE_NAMES) if (a.equals(n)) return true;
        return false;
    }

    private static LuaTable stat(Path p, boolean follow) throws IOException {
        LinkOption[] opts = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        LuaTable t = new LuaTable();
        Map<String, Object> unix = null;
        try {
            unix = Files.readAttributes(p, "unix:*", opts);
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            // not a Unix file system: basic (and POSIX) attributes only
        }
        if (unix != null) {
            int mode = ((Number) unix.get("mode")).intValue();
            t.set("mode", modeName(mode));
            t.set("permissions", permissions(mode));
            setNumber(t, "dev", unix.get("dev"));
            setNumber(t, "ino", unix.get("ino"));
            setNumber(t, "nlink", unix.get("nlink"));
            setNumber(t, "uid", unix.get("uid"));
            setNumber(t, "gid", unix.get("gid"));
            setNumber(t, "rdev", unix.get("rdev"));
            setNumber(t, "size", unix.get("size"));
            setTime(t, "access", unix.get("lastAccessTime"));
            setTime(t, "modification", unix.get("lastModifiedTime"));
            setTime(t, "change", unix.get("ctime"));
        } else {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, opts);
            t.set("mode", a.isRegularFile() ? "file" : a.isDirectory() ? "directory" : a.isSymbolicLink() ? "link" : "other");
            t.set("size", LuaValue.valueOf((double) a.size()));
            setTime(t, "access", a.lastAccessTime());
            setTime(t, "modification", a.lastModifiedTime());
            setTime(t, "change", a.lastModifiedTime());
            try {
                PosixFileAttributes posix = Files.readAttributes(p, PosixFileAttributes.class, opts);
                t.set("permissions", PosixFilePermissions.toString(posix.permissions()));
            } catch (UnsupportedOperationException notPosix) {
                t.set("permissions", (Files.isReadable(p) ? "r" : "-") + (Files.isWritable(p) ? "w" : "-")
                        + (Files.isExecutable(p) ? "x" : "-") + "------");
            }
        }
        if (!follow && "link".equals(t.get("mode").optjstring(null))) {
            try {
                t.set("target", Files.readSymbolicLink(p).toString());
            } catch (IOException | UnsupportedOperationException ignored) {
                // leave it out
            }
        }
        return t;
    }

    private static void setNumber(LuaTable t, String key, Object v) {
        if (v instanceof Number n) t.set(key, LuaValue.valueOf(n.doubleValue()));
    }

    private static void setTime(LuaTable t, String key, Object v) {
        if (v instanceof FileTime ft) t.set(key, LuaValue.valueOf((double) Math.floorDiv(ft.toMillis(), 1000L)));
    }

    private static String modeName(int mode) {
        return switch (mode & 0170000) {
            case 0100000 -> "file";
            case 0040000 -> "directory";
            case 0120000 -> "link";
            case 0140000 -> "socket";
            case 0010000 -> "named pipe";
            case 0020000 -> "char device";
            case 0060000 -> "block device";
            default -> "other";
        };
    }

    private static String permissions(int mode) {
        char[] c = new char[9];
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) c[i] = (mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-';
        return new String(c);
    }

    // ---------------------------------------------------------------------------------------------
    // errors as LuaFileSystem reports them: nil, strerror text, errno

    static Varargs failure(IOException e) {
        String message;
        int errno;
        if (e instanceof NoSuchFileException) {
            message = "No such file or directory";
            errno = 2;
        } else if (e instanceof FileAlreadyExistsException) {
            message = "File exists";
            errno = 17;
        } else if (e instanceof DirectoryNotEmptyException) {
            message = "Directory not empty";
            errno = 39;
        } else if (e instanceof AccessDeniedException) {
            message = "Permission denied";
            errno = 13;
        } else if (e instanceof NotDirectoryException) {
            message = "Not a directory";
            errno = 20;
        } else if (e instanceof NotLinkException) {
            message = "Invalid argument";
            errno = 22;
        } else if (e instanceof FileSystemLoopException) {
            message = "Too many levels of symbolic links";
            errno = 40;
        } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            message = fse.getReason();
            errno = errnoOf(message);
        } else {
            message = e.getMessage() != null ? e.getMessage() : e.toString();
            errno = 5;
        }
        return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(message), LuaValue.valueOf(errno));
    }

    private static int errnoOf(String reason) {
        return switch (reason) {
            case "Operation not permitted" -> 1;
            case "No such file or directory" -> 2;
            case "Permission denied" -> 13;
            case "Device or resource busy" -> 16;
            case "File exists" -> 17;
            case "Invalid cross-device link" -> 18;
            case "Not a directory" -> 20;
            case "Is a directory" -> 21;
            case "Invalid argument" -> 22;
            case "No space left on device" -> 28;
            case "Read-only file system" -> 30;
            case "Too many links" -> 31;
            case "File name too long" -> 36;
            case "Directory not empty" -> 39;
            case "Too many levels of symbolic links" -> 40;
            default -> 5;
        };
    }

    // ---------------------------------------------------------------------------------------------
    // lfs.dir

    /** A directory listing: {@code "."}, {@code ".."}, then the entries, read when it is opened. */
    private static final class Dir {
        static final LuaTable METATABLE = new LuaTable();
        static final LuaValue ITERATOR = new OneArgFunction() {
            @Override public LuaValue call(LuaValue self) {
                return of(self, "for iterator").next();
            }
        };

        static {
            LuaTable methods = new LuaTable();
            methods.set("next", ITERATOR);
            methods.set("close", new OneArgFunction() {
                @Override public LuaValue call(LuaValue self) {
                    of(self, "close").closed = true;
                    return NIL;
                }
            });
            METATABLE.set(LuaValue.INDEX, methods);
            METATABLE.set(LuaValue.TOSTRING, new OneArgFunction() {
                @Override public LuaValue call(LuaValue self) {
                    Dir d = of(self, "tostring");
                    return valueOf("directory (" + (d.closed ? "closed" : Integer.toHexString(System.identityHashCode(d))) + ")");
                }
            });
        }

        final LuaValue handle = new LuaUserdata(this, METATABLE);
        private final List<String> names;
        private int next;
        boolean closed;

        private Dir(List<String> names) {
            this.names = names;
        }

        static Dir open(Path p, String shown) {
            List<String> names = new ArrayList<>();
            names.add(".");
            names.add("..");
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(p)) {
                for (Path e : stream) names.add(e.getFileName().toString());
            } catch (IOException e) {
                throw new LuaError("cannot open " + shown + ": " + failure(e).arg(2).tojstring());
            }
            return new Dir(names);
        }

        static Dir of(LuaValue self, String fn) {
            if (self instanceof LuaUserdata u && u.m_instance instanceof Dir d) return d;
            throw new LuaError("bad argument #1 to '" + fn + "' (directory expected, got " + self.typename() + ")");
        }

        LuaValue next() {
            if (closed) throw new LuaError("bad argument #1 to 'for iterator' (closed directory)");
            if (next >= names.size()) {
                closed = true;
                return LuaValue.NIL;
            }
            return LuaValue.valueOf(names.get(next++));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // lfs.lock / lfs.unlock

    private static final ClassValue<Field> FILE_FIELD = new ClassValue<>() {
        @Override protected Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getType() == RandomAccessFile.class) {
                        try {
                            f.setAccessible(true);
                            return f;
                        } catch (RuntimeException inaccessible) {
                            return null;
                        }
                    }
                }
            }
            return null;
        }
    };

    /** The file behind a Lua file handle from {@code io.open}; standard streams and pipes have none. */
    private static RandomAccessFile fileOf(LuaValue handle, String fn) {
        Field f = handle.type() == LuaValue.TUSERDATA ? FILE_FIELD.get(handle.getClass()) : null;
        RandomAccessFile file = null;
        if (f != null) {
            try {
                file = (RandomAccessFile) f.get(handle);
            } catch (IllegalAccessException e) {
                file = null;
            }
        }
        if (file == null) {
            throw new LuaError("bad argument #1 to '" + fn + "' (a file opened with io.open expected, got "
                    + (handle.type() == LuaValue.TUSERDATA ? "another kind of file" : handle.typename()) + ")");
        }
        if (!file.getChannel().isOpen()) throw new LuaError(fn + ": closed file");
        return file;
    }

    /** Locks held through lfs.lock, per channel, so unlock and relock find them. */
    private static final class Locks {
        private static final Map<FileChannel, List<FileLock>> HELD = Collections.synchronizedMap(new WeakHashMap<>());

        static Varargs lock(FileChannel channel, boolean shared, long start, long length) {
            long size = length > 0 ? length : Long.MAX_VALUE - start;
            synchronized (HELD) {
                List<FileLock> held = HELD.computeIfAbsent(channel, c -> new ArrayList<>());
                // fcntl replaces a lock this process holds on the same range (read <-> write)
                release(held, start, size);
                try {
                    FileLock lock = channel.tryLock(start, size, shared);
                    if (lock == null) return busy();
                    held.add(lock);
                    return LuaValue.TRUE;
                } catch (OverlappingFileLockException e) {
                    // another handle of this server holds it: another request's lock
                    return busy();
                } catch (NonWritableChannelException | NonReadableChannelException e) {
                    return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("Bad file descriptor"), LuaValue.valueOf(9));
                } catch (IOException e) {
                    return failure(e);
                }
            }
        }

        static Varargs unlock(FileChannel channel, long start, long length) {
            long size = length > 0 ? length : Long.MAX_VALUE - start;
            synchronized (HELD) {
                List<FileLock> held = HELD.get(channel);
                if (held != null) {
                    release(held, start, size);
                    if (held.isEmpty()) HELD.remove(channel);
                }
            }
            return LuaValue.TRUE;
        }

        private static void release(List<FileLock> held, long start, long size) {
            held.removeIf(l -> {
                if (!l.isValid()) return true;
                if (!l.overlaps(start, size)) return false;
                try {
                    l.release();
                } catch (IOException ignored) {
                    // the channel is gone, and the lock with it
                }
                return true;
            });
        }

        private static Varargs busy() {
            return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("Resource temporarily unavailable"), LuaValue.valueOf(11));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // lfs.lock_dir

    /** {@code lfs.lock_dir}: a {@code lockfile.lfs} created atomically in the directory; {@code free} removes it. */
    private static final class DirLock {
        static final LuaTable METATABLE = new LuaTable();

        static {
            LuaTable methods = new LuaTable();
            methods.set("free", new OneArgFunction() {
                @Override public LuaValue call(LuaValue self) {
                    if (!(self instanceof LuaUserdata u) || !(u.m_instance instanceof DirLock lock)) {
                        throw new LuaError("bad argument #1 to 'free' (lock expected, got " + self.typename() + ")");
                    }
                    return lock.free();
                }
            });
            METATABLE.set(LuaValue.INDEX, methods);
        }

        private final Path file;
        private boolean freed;

        private DirLock(Path file) {
            this.file = file;
        }

        static Varargs acquire(Path file, double staleSeconds) {
            try {
                Files.createFile(file);
            } catch (FileAlreadyExistsException exists) {
                if (Double.isNaN(staleSeconds) || !isStale(file, staleSeconds)) return failure(exists);
                try {
                    Files.deleteIfExists(file);
                    Files.createFile(file);
                } catch (IOException e) {
                    return failure(e);
                }
            } catch (IOException e) {
                return failure(e);
            }
            return new LuaUserdata(new DirLock(file), METATABLE);
        }

        private static boolean isStale(Path file, double staleSeconds) {
            try {
                long age = System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis();
                return age > staleSeconds * 1000;
            } catch (IOException gone) {
                return true;
            }
        }

        LuaValue free() {
            if (!freed) {
                freed = true;
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
            return LuaValue.TRUE;
        }
    }
}
