package org.apogee.filters.session;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code require "wsapi.filters.crypto"}: what the session and CSRF filters need from cryptography.
 *
 * <pre>
 * crypto.random_token([bytes])       -- URL-safe base64 of that many random bytes (default 24)
 * crypto.hmac_sha256(key, data)      -- URL-safe base64 (no padding) of the HMAC
 * crypto.equals(a, b)                -- string comparison in constant time
 * local s = crypto.signer(secrets)   -- a secret, or a list of them: the first signs, all verify
 * s:sign(value)                      -- "value.signature"
 * s:unsign(signed)                   -- value, or nil when the signature does not match
 * </pre>
 *
 * Built once per Lua state: the MAC and the random generator are the state's own, so no lock is shared.
 */
public final class CryptoModule {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private CryptoModule() {}

    public static LuaValue create(LuaState state) {
        SecureRandom random = new SecureRandom();
        LuaTable m = new LuaTable();
        m.set("random_token", new OneArgFunction() {
            @Override public LuaValue call(LuaValue n) {
                int bytes = n.optint(24);
                if (bytes < 1 || bytes > 1024) throw new LuaError("random_token: between 1 and 1024 bytes (got " + bytes + ")");
                byte[] b = new byte[bytes];
                random.nextBytes(b);
                return LuaValue.valueOf(B64.encodeToString(b));
            }
        });
        m.set("hmac_sha256", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue key, LuaValue data) {
                Mac mac = mac(SessionStoreModule.bytes(key.checkstring()));
                return LuaValue.valueOf(B64.encodeToString(mac.doFinal(SessionStoreModule.bytes(data.checkstring()))));
            }
        });
        m.set("equals", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue a, LuaValue b) {
                if (!a.isstring() || !b.isstring()) return FALSE;
                return valueOf(MessageDigest.isEqual(SessionStoreModule.bytes(a.checkstring()), SessionStoreModule.bytes(b.checkstring())));
            }
        });
        m.set("signer", new OneArgFunction() {
            @Override public LuaValue call(LuaValue secrets) {
                return signer(secrets);
            }
        });
        return m;
    }

    static Mac mac(byte[] key) {
        if (key.length == 0) throw new LuaError("an empty secret cannot sign");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static LuaTable signer(LuaValue secrets) {
        List<Mac> macs = new ArrayList<>();
        if (secrets.isstring()) {
            macs.add(mac(SessionStoreModule.bytes(secrets.checkstring())));
        } else if (secrets.istable()) {
            for (int i = 1, n = secrets.length(); i <= n; i++) {
                LuaValue s = secrets.get(i);
                if (!s.isstring()) throw new LuaError("signer: secret #" + i + " is a " + s.typename() + "; secrets are strings");
                macs.add(mac(SessionStoreModule.bytes(s.checkstring())));
            }
        }
        if (macs.isEmpty()) throw new LuaError("signer: give a secret (a string) or a list of them");
        LuaTable o = new LuaTable();
        o.set("sign", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                LuaString value = a.checkstring(2);
                byte[] v = SessionStoreModule.bytes(value);
                String sig = B64.encodeToString(macs.get(0).doFinal(v));
                return LuaValue.valueOf(value.tojstring() + "." + sig);
            }
        });
        o.set("unsign", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                LuaValue arg = a.arg(2);
                if (!arg.isstring()) return NIL;
                byte[] signed = SessionStoreModule.bytes(arg.checkstring());
                int dot = -1;
                for (int i = signed.length - 1; i >= 0; i--) if (signed[i] == '.') { dot = i; break; }
                if (dot <= 0 || dot == signed.length - 1) return NIL;
                byte[] value = java.util.Arrays.copyOfRange(signed, 0, dot);
                byte[] given = java.util.Arrays.copyOfRange(signed, dot + 1, signed.length);
                // compare the text of the signature, not its decoding: base64 has several spellings
                // of the same bytes, and a signature must have exactly one
                for (Mac mac : macs) {
                    byte[] expected = B64.encode(mac.doFinal(value));
                    if (MessageDigest.isEqual(expected, given)) return LuaString.valueUsing(value);
                }
                return NIL;
            }
        });
        return o;
    }
}
