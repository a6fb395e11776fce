package org.apogee.filters.session;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
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
 * crypto.pbkdf2(password, salt[, iterations]) -- PBKDF2-HMAC-SHA256, 32 bytes as URL-safe base64
 *                                    -- (default 210,000 iterations): for storing passwords
 * local s = crypto.signer(secrets)   -- a secret, or a list of them: the first signs, all verify
 * s:sign(value)                      -- "value.signature"
 * s:unsign(signed)                   -- value, or nil when the signature does not match
 * s:from_cookie(header, name)        -- the value of the first cookie `name` in a Cookie header
 *                                    -- whose signature matches, or nil
 * </pre>
 *
 * Built once per Lua state: the MAC and the random generator are the state's own, so no lock is shared.
 */
public final class CryptoModule {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    static final int PBKDF2_ITERATIONS = 210_000;

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
        m.set("pbkdf2", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                String password = args.checkjstring(1);
                byte[] salt = SessionStoreModule.bytes(args.checkstring(2));
                int iterations = args.optint(3, PBKDF2_ITERATIONS);
                if (salt.length < 8) throw new LuaError("pbkdf2: the salt needs at least 8 bytes");
                if (iterations < 1000 || iterations > 10_000_000) throw new LuaError("pbkdf2: iterations between 1000 and 10,000,000 (got " + iterations + ")");
                try {
                    SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
                    byte[] hash = f.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
                    return LuaValue.valueOf(B64.encodeToString(hash));
                } catch (GeneralSecurityException e) {
                    throw new LuaError("pbkdf2: " + e.getMessage());
                }
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

    /** The value of {@code value.signature} when the signature is made by one of {@code macs}, else null. */
    private static byte[] unsign(List<Mac> macs, byte[] b, int offset, int length) {
        int dot = -1;
        for (int i = offset + length - 1; i >= offset; i--) {
            if (b[i] == '.') {
                dot = i;
                break;
            }
        }
        if (dot <= offset || dot == offset + length - 1) return null;
        byte[] value = java.util.Arrays.copyOfRange(b, offset, dot);
        byte[] given = java.util.Arrays.copyOfRange(b, dot + 1, offset + length);
        // compare the text of the signature, not its decoding: base64 has several spellings of
        // the same bytes, and a signature must have exactly one
        for (Mac mac : macs) {
            byte[] expected = B64.encode(mac.doFinal(value));
            if (MessageDigest.isEqual(expected, given)) return value;
        }
        return null;
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
                LuaString s = arg.checkstring();
                byte[] value = unsign(macs, s.m_bytes, s.m_offset, s.m_length);
                return value == null ? NIL : LuaString.valueUsing(value);
            }
        });
        o.set("from_cookie", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                LuaValue header = a.arg(2);
                if (!header.isstring()) return NIL;
                LuaString h = header.checkstring();
                byte[] name = SessionStoreModule.bytes(a.checkstring(3));
                byte[] b = h.m_bytes;
                int end = h.m_offset + h.m_length;
                int pos = h.m_offset;
                while (pos < end) {
                    int semi = pos;
                    while (semi < end && b[semi] != ';') semi++;
                    int start = pos;
                    while (start < semi && b[start] == ' ') start++;
                    int stop = semi;
                    while (stop > start && (b[stop - 1] == ' ' || b[stop - 1] == '\t')) stop--;
                    if (stop - start > name.length && b[start + name.length] == '='
                            && java.util.Arrays.equals(b, start, start + name.length, name, 0, name.length)) {
                        int vs = start + name.length + 1;
                        if (stop - vs >= 2 && b[vs] == '"' && b[stop - 1] == '"') {
                            vs++;
                            stop--;
                        }
                        byte[] value = unsign(macs, b, vs, stop - vs);
                        if (value != null) return LuaString.valueUsing(value);
                    }
                    pos = semi + 1;
                }
                return NIL;
            }
        });
        return o;
    }
}
