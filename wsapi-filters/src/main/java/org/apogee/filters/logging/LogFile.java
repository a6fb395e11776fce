package org.apogee.filters.logging;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apogee.core.ShutdownHooks;

/**
 * An append-only log file shared by every Lua state of the process. Lines are written whole, so
 * lines from concurrent requests never interleave.
 *
 * <p>Buffered: a line may wait up to the delay its writer asks for (a fraction of a second) and is
 * then written together with the others, in one system call; a delay of 0 writes at once. A
 * background thread writes what is due, a full buffer (64 KiB) is written at once, and everything is
 * written, the thread stopped and the files closed when Apogee stops ({@link ShutdownHooks}: the
 * process exits, or the web application is undeployed).
 *
 * <p>Rotation-friendly: at most once a second a write checks that the path still names the file it
 * has open; when logrotate (or anyone) moved or deleted it, the file is reopened at the path, so no
 * signal or copytruncate is needed.
 */
public final class LogFile {

    private static final System.Logger LOG = System.getLogger("apogee.logging");
    private static final ConcurrentHashMap<Path, LogFile> OPEN = new ConcurrentHashMap<>();
    private static final LogFile STDERR = new LogFile(null, System.err);
    private static final LogFile STDOUT = new LogFile(null, System.out);
    private static final long CHECK_EVERY_MILLIS = 1000;
    private static final int BUFFER_BYTES = 64 * 1024;

    private static volatile boolean flusherStarted;
    private static volatile boolean stopped;
    private static Thread flusher;

    /** The background writer, started by the first buffered write; stopped with Apogee ({@link ShutdownHooks}). */
    private static void startFlusher() {
        synchronized (LogFile.class) {
            if (flusherStarted || stopped) return;
            flusher = new Thread(LogFile::flushLoop, "apogee-log-flush");
            flusher.setDaemon(true);
            flusher.start();
            ShutdownHooks.register("the log files", LogFile::stop);
            flusherStarted = true;
        }
    }

    /**
     * Stops the background writer, writes what waits and closes the files. A line written afterwards
     * (a request that ends late) is written at once, reopening its file.
     */
    static void stop() {
        Thread t;
        synchronized (LogFile.class) {
            stopped = true;
            t = flusher;
            flusher = null;
            flusherStarted = false;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushAll();
        for (LogFile f : OPEN.values()) f.closeFile();
    }

    /** Lets buffered writes start the writer again after {@link #stop()} (tests that share one JVM). */
    static void resumeAfterStop() {
        synchronized (LogFile.class) {
            stopped = false;
        }
    }

    private synchronized void closeFile() {
        flush();
        if (out == null) return;
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing more can be written to it anyway
        }
        out = null;
        fileKey = null;
    }

    private final Path path;
    private OutputStream out;
    private Object fileKey;
    private long lastCheck;
    private boolean failing;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int buffered;
    private long dueAt = Long.MAX_VALUE;

    private LogFile(Path path, OutputStream out) {
        this.path = path;
        this.out = out;
    }

    /** The shared log at {@code path} (absolute), opened for appending on first use; folders are created. */
    public static LogFile at(Path path) {
        Path p = path.toAbsolutePath().normalize();
        return OPEN.computeIfAbsent(p, LogFile::open);
    }

    public static LogFile stderr() {
        return STDERR;
    }

    public static LogFile stdout() {
        return STDOUT;
    }

    private static LogFile open(Path p) {
        LogFile f = new LogFile(p, null);
        try {
            f.reopen();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open the log file " + p + ": " + e.getMessage(), e);
        }
        return f;
    }

    public Path path() {
        return path;
    }

    private void reopen() throws IOException {
        if (path.getParent() != null) Files.createDirectories(path.getParent());
        OutputStream old = out;
        out = new FileOutputStream(path.toFile(), true);
        fileKey = key(path);
        if (old != null) {
            try {
                old.close();
            } catch (IOException ignored) {
                // the old file is gone anyway
            }
        }
    }

    private static Object key(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Appends {@code bytes} (one or more complete lines), written at the latest after
     * {@code delayMillis} (0: now). Never throws: a failing log is reported once.
     */
    public synchronized void write(byte[] bytes, int offset, int length, long delayMillis) {
        if (delayMillis <= 0 || length > BUFFER_BYTES || stopped) {
            flush();
            writeOut(bytes, offset, length);
            return;
        }
        if (!flusherStarted) startFlusher();
        if (buffered + length > BUFFER_BYTES) flush();
        System.arraycopy(bytes, offset, buffer, buffered, length);
        buffered += length;
        long due = System.currentTimeMillis() + delayMillis;
        if (due < dueAt) dueAt = due;
    }

    /** Writes what is buffered. */
    public synchronized void flush() {
        if (buffered == 0) return;
        int n = buffered;
        buffered = 0;
        dueAt = Long.MAX_VALUE;
        writeOut(buffer, 0, n);
    }

    private synchronized void flushIfDue(long now) {
        if (now >= dueAt) flush();
    }

    private void writeOut(byte[] bytes, int offset, int length) {
        try {
            if (path != null && out == null) {
                reopen();
            } else if (path != null) {
                long now = System.currentTimeMillis();
                if (now - lastCheck >= CHECK_EVERY_MILLIS) {
                    lastCheck = now;
                    Object k = key(path);
                    if (k == null || !Objects.equals(k, fileKey)) reopen();
                }
            }
            out.write(bytes, offset, length);
            if (out instanceof PrintStream ps) ps.flush();
            failing = false;
        } catch (IOException e) {
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.ERROR, "cannot write the log file " + path + ": " + e.getMessage());
            }
        }
    }

    private static void flushLoop() {
        while (!stopped) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.currentTimeMillis();
            for (LogFile f : OPEN.values()) f.flushIfDue(now);
            STDERR.flushIfDue(now);
            STDOUT.flushIfDue(now);
        }
    }

    /** Writes every buffered line of every log (at shutdown). */
    public static void flushAll() {
        for (LogFile f : OPEN.values()) f.flush();
        STDERR.flush();
        STDOUT.flush();
    }
}
