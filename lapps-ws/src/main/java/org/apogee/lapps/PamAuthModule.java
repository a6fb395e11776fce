package org.apogee.lapps;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/** The {@code pam_auth} preload: {@code pam_auth:login(service, user, password)} asks the host's {@link Authenticator}. */
final class PamAuthModule {

    private PamAuthModule() {}

    static LuaTable create(Authenticator authenticator) {
        LuaTable m = new LuaTable();
        m.set("login", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String service = args.arg(2).isstring() ? args.arg(2).tojstring() : "";
                String user = args.arg(3).isstring() ? args.arg(3).tojstring() : "";
                String password = args.arg(4).isstring() ? args.arg(4).tojstring() : "";
                if (service.isEmpty() || user.isEmpty() || password.isEmpty()) {
                    return WsModule.fail("usage: pam_auth:login(service, user, password)");
                }
                return valueOf(authenticator.login(service, user, password));
            }
        });
        return m;
    }
}
