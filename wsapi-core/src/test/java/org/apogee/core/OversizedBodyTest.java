package org.apogee.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body refused by its Content-Length is read and dropped up to {@link WsapiHost#SWALLOW_LIMIT} before the
 * 413, so the connection can close without a reset that would lose the answer; a larger one is left unread.
 */
class OversizedBodyTest {

    private static int[] send(WsapiHost host, long declared, ByteArrayInputStream body) {
        int[] status = {0};
        host.handle(WsapiRequest.builder("POST", "/").header("Content-Length", String.valueOf(declared)).body(body).build(),
                new ResponseSink() {
                    @Override public void start(int s, String reason, List<Header> h, long length, boolean headOnly) { status[0] = s; }
                    @Override public void write(byte[] b, int off, int len) {}
                    @Override public void flush() {}
                    @Override public void finish() {}
                    @Override public void abort(Throwable cause) { status[0] = -1; }
                });
        return status;
    }

    @Test
    void aRefusedBodyIsReadUpToTheLimitBeforeThe413(@TempDir Path dir) throws Exception {
        Path app = Files.writeString(dir.resolve("app.lua"), "return function() return 200, {}, function() end end");
        WsapiHost host = new WsapiHost(HostConfig.of(app).withInstances(1).withMaxBodyBytes(1000));

        ByteArrayInputStream small = new ByteArrayInputStream(new byte[50_000]);
        assertEquals(413, send(host, 50_000, small)[0]);
        assertEquals(0, small.available(), "the refused body was read");

        int huge = (int) WsapiHost.SWALLOW_LIMIT + 1;
        ByteArrayInputStream large = new ByteArrayInputStream(new byte[huge]);
        assertEquals(413, send(host, huge, large)[0]);
        assertEquals(huge, large.available(), "a body over the swallow limit is not read");
        host.close();
    }
}
