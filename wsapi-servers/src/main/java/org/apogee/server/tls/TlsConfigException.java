package org.apogee.server.tls;

import java.nio.file.Path;

/**
 * A certificate, key or keystore that cannot be used: missing or unreadable file, wrong password,
 * a key that does not match the certificate, an expired certificate. The message names the file
 * and the problem, ready to show to whoever starts the server.
 */
public final class TlsConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    TlsConfigException(Path file, String message) {
        super(message);
        this.file = file;
    }

    TlsConfigException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
