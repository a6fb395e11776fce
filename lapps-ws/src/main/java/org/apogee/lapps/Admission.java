package org.apogee.lapps;

import java.util.Map;

/**
 * The host's answer to an upgrade request, given before the upgrade: refuse it with an HTTP status,
 * or accept it for a service with a chosen subprotocol and extra 101 headers.
 */
public sealed interface Admission {

    /** Answer the request with this status (404 unknown target, 403 ACL or Origin, 400 no subprotocol handler, 503 stopping). */
    record Refused(int status, String message) implements Admission {}

    /**
     * Upgrade. {@code subprotocol} is the value for {@code Sec-WebSocket-Protocol} or null;
     * {@code maxMessageSize} is the service's {@code max_inbound_message_size}: a bigger message
     * (fragmented or not) must be closed with 1009.
     */
    record Accepted(ReactiveService service, String subprotocol, Map<String, String> extraHeaders,
                    long maxMessageSize) implements Admission {}
}
