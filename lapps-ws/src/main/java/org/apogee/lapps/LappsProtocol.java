package org.apogee.lapps;

import org.apogee.lapps.json.Json;

/**
 * The LAppS protocol's message rules: which inbound envelopes reach {@code onMessage} (and as which
 * kind), which outbound messages {@code ws:send} and {@code bcast:send} accept, and the error objects
 * the server itself sends.
 */
final class LappsProtocol {

    /** Kinds passed to onMessage. */
    static final int NOTIFICATION = 1, NOTIFICATION_WITH_PARAMS = 2, REQUEST = 3, REQUEST_WITH_PARAMS = 4;

    static final long PARSE_ERROR = -32700, INVALID_REQUEST = -32600;

    private LappsProtocol() {}

    /** An inbound envelope that breaks the rules; the message says which one. */
    static final class InvalidEnvelope extends Exception {
        InvalidEnvelope(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The kind (1-4) of a decoded inbound message: the top level is a map with {@code lapps} equal
     * to 1; {@code method} is a non-empty string not starting with "_" and without "."; {@code params}
     * counts only as a non-empty array; a present {@code cid} must be a number and makes it a
     * notification.
     */
    static int classify(Object message) throws InvalidEnvelope {
        if (!(message instanceof Json.JsonObject m)) throw new InvalidEnvelope("the message must be a CBOR map");
        Object lapps = m.get("lapps");
        if (!Json.isNumber(lapps) || Json.toDouble(lapps) != 1) throw new InvalidEnvelope("\"lapps\" must be 1");
        if (!(m.get("method") instanceof String method) || method.isEmpty()) {
            throw new InvalidEnvelope("\"method\" must be a non-empty string");
        }
        if (method.startsWith("_") || method.indexOf('.') >= 0) {
            throw new InvalidEnvelope("\"method\" must not start with '_' or contain '.'");
        }
        boolean params = m.get("params") instanceof Json.JsonArray a && !a.isEmpty();
        boolean notification = m.containsKey("cid");
        if (notification && !Json.isNumber(m.get("cid"))) throw new InvalidEnvelope("\"cid\" must be a number");
        if (notification) return params ? NOTIFICATION_WITH_PARAMS : NOTIFICATION;
        return params ? REQUEST_WITH_PARAMS : REQUEST;
    }

    /**
     * Why {@code ws:send(h, obj)} refuses a message, or null when it is valid: a map with a numeric
     * {@code cid} and a {@code status} of 0 or 1; errors (status 0) on cid 0 with an
     * {@code error} map holding a numeric {@code code} and a string {@code message}; responses
     * (status 1, cid 0) with a {@code result} array; notifications (status 1, other cid) with a
     * {@code message} array.
     */
    static String outboundProblem(Object message) {
        if (!(message instanceof Json.JsonObject m)) return "a LAppS message must be an object";
        Object cid = m.get("cid");
        if (!Json.isNumber(cid)) return "\"cid\" must be a number";
        Object status = m.get("status");
        if (!Json.isNumber(status) || (Json.toDouble(status) != 0 && Json.toDouble(status) != 1)) {
            return "\"status\" must be 0 or 1";
        }
        boolean channelZero = Json.toDouble(cid) == 0;
        if (Json.toDouble(status) == 0) {
            if (!channelZero) return "errors (status 0) go on channel 0 only (cid must be 0)";
            if (!(m.get("error") instanceof Json.JsonObject e)) return "an error message needs an \"error\" object";
            if (!Json.isNumber(e.get("code"))) return "error.code must be a number";
            if (!(e.get("message") instanceof String)) return "error.message must be a string";
            return null;
        }
        if (channelZero) {
            return m.get("result") instanceof Json.JsonArray ? null : "a response (status 1, cid 0) needs a \"result\" array";
        }
        return m.get("message") instanceof Json.JsonArray ? null : "a notification (status 1, cid other than 0) needs a \"message\" array";
    }

    /** Why {@code bcast:send} refuses a message, or null: it needs a numeric {@code cid} and a {@code message} array. */
    static String broadcastProblem(Object message) {
        if (!(message instanceof Json.JsonObject m)) return "a broadcast must be an object";
        if (!Json.isNumber(m.get("cid"))) return "\"cid\" must be a number";
        if (!(m.get("message") instanceof Json.JsonArray)) return "\"message\" must be an array";
        return null;
    }

    /** The error object the server sends before closing a connection for a bad message. */
    static Json.JsonObject error(long code, String message) {
        return Json.object("status", 0L, "cid", 0L, "error", Json.object("code", code, "message", message));
    }
}
