package org.apogee.filters.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apogee.core.ShutdownHooks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log writer thread stops with Apogee (a web application's undeploy), and nothing buffered is lost. */
class LogFileStopTest {

    @TempDir Path tmp;

    @AfterEach
    void resume() {
        LogFile.resumeAfterStop();
    }

    @Test
    void stoppingWritesWhatWaitsEndsTheThreadAndLaterLinesGoOutAtOnce() throws Exception {
        Path path = tmp.resolve("access.log");
        LogFile log = LogFile.at(path);
        byte[] line = "one\n".getBytes(StandardCharsets.UTF_8);
        log.write(line, 0, line.length, 60_000);
        assertTrue(flusherRuns(), "a buffered write starts the writer");
        assertEquals("", Files.readString(path), "buffered for a minute");
        assertTrue(ShutdownHooks.registered().contains("the log files"));

        ShutdownHooks.runAll();
        assertEquals("one\n", Files.readString(path));
        assertFalse(flusherRuns(), "the writer thread ended");

        byte[] late = "two\n".getBytes(StandardCharsets.UTF_8);
        LogFile.at(path).write(late, 0, late.length, 60_000);
        assertEquals("one\ntwo\n", Files.readString(path), "written at once, the file reopened");
        assertFalse(flusherRuns(), "not started again");
    }

    private static boolean flusherRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("apogee-log-flush") && t.isAlive());
    }
}
