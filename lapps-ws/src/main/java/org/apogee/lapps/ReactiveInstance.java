package org.apogee.lapps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

import org.apogee.core.lua.LuaCoroutine;
import org.apogee.core.lua.LuaState;
import org.apogee.lapps.json.Cbor;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * One instance of a reactive service: its own Lua state and one thread that takes events
 * (connection opened, message, connection gone) from a FIFO queue and handles them one at a time,
 * so the messages of a connection reach Lua in order.
 *
 * <p>Callback style: {@code onMessage(h, kind, payload)} must return {@code true}; a false result or
 * an error closes that connection with 1011 and the instance goes on. {@code onDisconnect(h)} runs
 * exactly once for each connection that was opened. Coroutine style: each connection's handler
 * runs as a coroutine of this state, suspended in {@code ws:receive()} until a message comes.
 */
final class ReactiveInstance {

    private static final System.Logger LOG = System.getLogger("apogee.lapps");

    sealed interface Event {}
    record Opened(Connection c) implements Event {}
    record Message(Connection c, boolean text, byte[] data) implements Event {}
    record Closed(Connection c) implements Event {}
    record Stop(CountDownLatch done) implements Event {}

    private final ReactiveService service;
    private final int index;
    private final LuaState state;
    private final LuaValue nljsonMeta;
    private final LuaValue onMessage;
    private final LuaValue onDisconnect;
    private final LuaValue onShutdown;
    private final LuaTable protocols;
    private final LuaValue yield;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Open connections of this instance; touched only on its thread. */
    private final Map<Integer, Connection> connections = new LinkedHashMap<>();
    private Thread thread;

    /** Builds the state and runs onStart on the calling thread. */
    ReactiveInstance(ReactiveService service, int index, ServiceStates.Loaded loaded) {
        this.service = service;
        this.index = index;
        this.state = loaded.state();
        this.nljsonMeta = loaded.nljsonMeta();
        String name = service.name();
        LuaValue module = state.get(name);
        LuaState previous = state.enter();
        try {
            if (!module.istable()) throw new ServiceStates.ServiceException(name + ": the module must return a table (or set the global " + name + ")");
            this.yield = state.get("coroutine").get("yield");
            LuaValue p = module.get("protocols");
            if (p.istable()) {
                this.protocols = (LuaTable) p;
                this.onMessage = this.onDisconnect = LuaValue.NIL;
                this.onShutdown = module.get("onShutdown");
                LuaValue start = module.get("onStart");
                if (start.isfunction()) start.call();
            } else {
                this.protocols = null;
                for (String fn : new String[] {"onStart", "onMessage", "onDisconnect", "onShutdown"}) {
                    if (!module.get(fn).isfunction()) {
                        throw new ServiceStates.ServiceException(name + ": the module has no " + fn + " function (a reactive service needs "
                                + "onStart, onMessage, onDisconnect and onShutdown, or a protocols table)");
                    }
                }
                this.onMessage = module.get("onMessage");
                this.onDisconnect = module.get("onDisconnect");
                this.onShutdown = module.get("onShutdown");
                module.get("onStart").call();
            }
        } catch (LuaError e) {
            throw new ServiceStates.ServiceException(name + ": onStart failed: " + e.getMessage(), e);
        } finally {
            LuaState.leave(previous);
        }
    }

    /** The subprotocol keys of a coroutine-style service, or null for the callback style. */
    LuaTable protocols() {
        return protocols;
    }

    void start() {
        // a platform thread, as in the original server: a busy handler is preempted by the OS instead
        // of holding one of the few carrier threads virtual threads share
        thread = Thread.ofPlatform().daemon().name("lapps-" + service.name() + "#" + index).start(this::loop);
    }

    void enqueue(Event e) {
        events.add(e);
    }

    /** Asks the instance to close its connections and run onShutdown; returns a latch that opens when done. */
    CountDownLatch stop() {
        CountDownLatch done = new CountDownLatch(1);
        if (thread == null) {
            done.countDown();
        } else {
            events.add(new Stop(done));
        }
        return done;
    }

    private void loop() {
        state.enter();
        while (true) {
            Event e;
            try {
                e = events.take();
            } catch (InterruptedException interrupted) {
                continue;
            }
            try {
                switch (e) {
                    case Opened o -> opened(o.c());
                    case Message m -> message(m);
                    case Closed c -> disconnected(c.c());
                    case Stop s -> {
                        shutdown();
                        state.close(); // what the state keeps open (a database connection) closes with it
                        s.done().countDown();
                        return;
                    }
                }
            } catch (RuntimeException | StackOverflowError unexpected) {
                LOG.log(System.Logger.Level.ERROR, "[" + service.name() + "#" + index + "] internal error", unexpected);
            }
        }
    }

    private void opened(Connection c) {
        connections.put(c.handler, c);
        if (protocols != null) startHandler(c);
    }

    private void message(Message m) {
        Connection c = m.c();
        if (protocols != null) {
            if (c.disconnected || c.failed) {
                c.consumed(m);
            } else if (c.waiting) {
                c.consumed(m);
                Varargs args = arguments(c, m);
                if (args != null) resumeHandler(c, args);
            } else {
                c.inbox.add(m); // consumed when ws:receive() takes it
            }
            return;
        }
        try {
            if (!c.disconnected && !c.failed) deliver(c, m);
        } finally {
            c.consumed(m);
        }
    }

    /**
     * What Lua gets for a message: RAW, the bytes and the opcode; LAppS, the decoded message and its
     * kind. Null when a LAppS message breaks the protocol (the connection is then being closed).
     */
    private Varargs arguments(Connection c, Message m) {
        if (service.protocol() != LappsConfig.Protocol.LAPPS) {
            return LuaValue.varargsOf(LuaString.valueUsing(m.data()), LuaValue.valueOf(m.text() ? 1 : 2));
        }
        if (m.text()) {
            c.fail(1003, "the LAppS protocol takes binary CBOR messages");
            return null;
        }
        Object decoded;
        try {
            decoded = Cbor.decode(m.data());
        } catch (Cbor.MalformedException bad) {
            refuse(c, LappsProtocol.PARSE_ERROR, bad.getMessage());
            return null;
        }
        int kind;
        try {
            kind = LappsProtocol.classify(decoded);
        } catch (LappsProtocol.InvalidEnvelope bad) {
            refuse(c, LappsProtocol.INVALID_REQUEST, "invalid LAppS message: " + bad.getMessage());
            return null;
        }
        return LuaValue.varargsOf(new NlJson(decoded, false, nljsonMeta), LuaValue.valueOf(kind));
    }

    private void deliver(Connection c, Message m) {
        Varargs args = arguments(c, m);
        if (args == null) return;
        try {
            LuaValue result = onMessage.invoke(LuaValue.varargsOf(LuaValue.valueOf(c.handler), args.arg(2), args.arg1())).arg1();
            if (result != LuaValue.TRUE) {
                LOG.log(System.Logger.Level.ERROR, "[" + service.name() + "#" + index + "] onMessage returned " + result.tojstring()
                        + " instead of true; closing connection " + c.handler + " with 1011");
                c.fail(1011, "internal error");
            }
        } catch (LuaError err) {
            luaError("onMessage", err);
            c.fail(1011, "internal error");
        }
    }

    /** A bad LAppS message: the error object on channel 0, then close with 1002. */
    private void refuse(Connection c, long code, String message) {
        LOG.log(System.Logger.Level.DEBUG, "[" + service.name() + "] connection " + c.handler + ": " + message);
        c.send(false, Cbor.encode(LappsProtocol.error(code, message)));
        c.fail(1002, code == LappsProtocol.PARSE_ERROR ? "malformed CBOR" : "invalid LAppS message");
    }

    private void disconnected(Connection c) {
        if (c.disconnected) return;
        connections.remove(c.handler);
        c.disconnected = true;
        service.host().broadcasts().forget(c);
        service.leave(c);
        if (protocols != null) {
            LuaValue onClose = c.wsObject == null ? LuaValue.NIL : c.wsObject.get("on_close");
            if (onClose.isfunction()) {
                try {
                    onClose.call(c.wsObject);
                } catch (LuaError err) {
                    luaError("on_close", err);
                }
            }
            if (c.waiting) resumeHandler(c, LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("closed")));
            return;
        }
        try {
            onDisconnect.call(LuaValue.valueOf(c.handler));
        } catch (LuaError err) {
            luaError("onDisconnect", err);
        }
    }

    private void shutdown() {
        for (Connection c : new ArrayList<>(connections.values())) {
            c.close(1001, "server shutting down");
            disconnected(c);
        }
        connections.clear();
        if (onShutdown.isfunction()) {
            try {
                onShutdown.call();
            } catch (LuaError err) {
                luaError("onShutdown", err);
            }
        }
    }

    private void luaError(String where, LuaError err) {
        LOG.log(System.Logger.Level.ERROR, "[" + service.name() + "#" + index + "] " + where + " failed: "
                + org.apogee.core.lua.ErrorText.of(err));
    }

    // ---- coroutine-style handlers ----

    private void startHandler(Connection c) {
        LuaValue fn = protocols.get(c.subprotocol == null ? "*" : c.subprotocol);
        if (!fn.isfunction()) fn = protocols.get("*");
        if (!fn.isfunction()) {
            c.fail(1011, "no handler");
            return;
        }
        c.wsObject = HandlerSocket.create(this, c);
        c.handlerThread = new LuaCoroutine(state, fn);
        resumeHandler(c, c.wsObject);
    }

    private void resumeHandler(Connection c, Varargs args) {
        LuaThread co = c.handlerThread;
        Varargs r = co.resume(args);
        if (!r.arg1().toboolean()) {
            LOG.log(System.Logger.Level.ERROR, "[" + service.name() + "#" + index + "] handler of connection " + c.handler
                    + " failed: " + r.arg(2).tojstring());
            c.waiting = false;
            c.fail(1011, "internal error");
            return;
        }
        if (co.getStatus().equals("dead")) {
            c.waiting = false;
            c.close(1000, "");
        } else if (!c.waiting) {
            LOG.log(System.Logger.Level.ERROR, "[" + service.name() + "#" + index + "] handler of connection " + c.handler
                    + " yielded outside ws:receive(); closing it");
            c.fail(1011, "internal error");
        }
    }

    /** {@code ws:receive()} inside a handler coroutine: the next message (see {@link #arguments}), or nil and "closed". */
    Varargs receive(Connection c) {
        Message m;
        while ((m = c.inbox.poll()) != null) {
            c.consumed(m);
            Varargs args = arguments(c, m);
            if (args != null) return args;
        }
        if (c.failed) return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("closed"));
        if (c.disconnected) return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("closed"));
        if (c.handlerThread != state.running) throw new LuaError("ws:receive() must be called from the connection's own handler");
        c.waiting = true;
        Varargs in = yield.invoke(LuaValue.NONE);
        c.waiting = false;
        return in;
    }

}
