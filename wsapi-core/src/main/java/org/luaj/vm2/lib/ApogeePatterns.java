package org.luaj.vm2.lib;

import org.luaj.vm2.Buffer;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * {@code string.find}, {@code match}, {@code gmatch} and {@code gsub} with C Lua's character classes.
 * <p>
 * LuaJ builds its class table with Java's {@code Character} methods, so {@code %a}, {@code %l},
 * {@code %u} and {@code %w} also match the Latin-1 letters 0xAA, 0xB5, 0xBA and 0xC0-0xFF: on UTF-8
 * text, {@code s:gsub("[^%w]", "")} keeps half of "ü". It also leaves {@code [\]^_`{|}~} out of
 * {@code %p} and {@code \v} out of {@code %s}, and lacks Lua 5.2's {@code %g}. C Lua classifies with
 * {@code <ctype.h>} in the "C" locale, where every class is ASCII, and WSAPI and Orbit code relies on
 * that. LuaJ's {@code %f[set]} also never matched (and failed at the subject's ends), its
 * {@code gmatch} returned an empty match forever, and an empty pattern or a set without its ']'
 * failed with Java index errors.
 * <p>
 * The matcher stays LuaJ's: {@link Matcher} replaces only its single-character tests (the class table
 * is private to LuaJ), the loop that holds {@code %f} and the end of a set, and this class lives in
 * LuaJ's package to reach them. The entry points are LuaJ's, creating a {@link Matcher} instead of
 * LuaJ's match state.
 */
public final class ApogeePatterns {

    private ApogeePatterns() {}

    /** Replaces the pattern functions of a {@code string} table loaded from LuaJ's {@link StringLib}. */
    public static void install(LuaTable string) {
        string.set("find", new Find(true));
        string.set("match", new Find(false));
        string.set("gmatch", new GMatch());
        string.set("gsub", new GSub());
    }

    private static final int ALPHA = 1, DIGIT = 2, LOWER = 4, UPPER = 8, PUNCT = 16, SPACE = 32,
            CNTRL = 64, XDIGIT = 128, GRAPH = 256;

    /** {@code <ctype.h>} in the "C" locale: bytes 0x80-0xFF are in no class. */
    private static final short[] CTYPE = new short[256];

    static {
        for (int c = 0; c < 128; c++) {
            int m = 0;
            if (c >= 'a' && c <= 'z') m |= LOWER | ALPHA;
            if (c >= 'A' && c <= 'Z') m |= UPPER | ALPHA;
            if (c >= '0' && c <= '9') m |= DIGIT;
            if ((m & DIGIT) != 0 || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) m |= XDIGIT;
            if (c < 0x20 || c == 0x7F) m |= CNTRL;
            if (c == ' ' || (c >= '\t' && c <= '\r')) m |= SPACE;
            if (c > 0x20 && c < 0x7F) m |= (m & (ALPHA | DIGIT)) == 0 ? GRAPH | PUNCT : GRAPH;
            CTYPE[c] = (short) m;
        }
    }

    /** Whether byte {@code c} is in class {@code %cl}; an upper-case class letter is the complement. */
    static boolean matchClass(int c, int cl) {
        int lower = cl >= 'A' && cl <= 'Z' ? cl + ('a' - 'A') : cl;
        int mask;
        switch (lower) {
            case 'a': mask = ALPHA; break;
            case 'c': mask = CNTRL; break;
            case 'd': mask = DIGIT; break;
            case 'g': mask = GRAPH; break;
            case 'l': mask = LOWER; break;
            case 'p': mask = PUNCT; break;
            case 's': mask = SPACE; break;
            case 'u': mask = UPPER; break;
            case 'w': mask = ALPHA | DIGIT; break;
            case 'x': mask = XDIGIT; break;
            case 'z': return (c == 0) == (lower == cl);
            default: return cl == c;
        }
        return ((CTYPE[c] & mask) != 0) == (lower == cl);
    }

    /** LuaJ's values for a capture being matched and a position capture {@code ()}. */
    private static final int CAP_UNFINISHED = -1, CAP_POSITION = -2;

    /** LuaJ's match state with C's class tests and frontier. */
    static final class Matcher extends StringLib.MatchState {

        Matcher(Varargs args, LuaString s, LuaString pattern) {
            super(args, s, pattern);
        }

        /**
         * LuaJ's {@code match} with C Lua's frontier {@code %f[set]}: LuaJ failed wherever the next
         * byte was in the set (so {@code %f} never matched), and read outside the subject at its start
         * and end, where C sees a zero byte.
         */
        @Override
        int match(int soffset, int poffset) {
            while (true) {
                if (poffset == p.length()) return soffset;
                switch (p.luaByte(poffset)) {
                    case '(':
                        if (++poffset < p.length() && p.luaByte(poffset) == ')') {
                            return start_capture(soffset, poffset + 1, CAP_POSITION);
                        }
                        return start_capture(soffset, poffset, CAP_UNFINISHED);
                    case ')':
                        return end_capture(soffset, poffset + 1);
                    case '%':
                        if (poffset + 1 == p.length()) LuaValue.error("malformed pattern (ends with '%')");
                        switch (p.luaByte(poffset + 1)) {
                            case 'b':
                                soffset = matchbalance(soffset, poffset + 2);
                                if (soffset == -1) return -1;
                                poffset += 4;
                                continue;
                            case 'f': {
                                poffset += 2;
                                if (poffset == p.length() || p.luaByte(poffset) != '[') {
                                    LuaValue.error("missing '[' after '%f' in pattern");
                                }
                                int ep = classend(poffset);
                                int previous = soffset == 0 ? 0 : s.luaByte(soffset - 1);
                                int next = soffset < s.length() ? s.luaByte(soffset) : 0;
                                if (matchbracketclass(previous, poffset, ep - 1)
                                        || !matchbracketclass(next, poffset, ep - 1)) {
                                    return -1;
                                }
                                poffset = ep;
                                continue;
                            }
                            default: {
                                int c = p.luaByte(poffset + 1);
                                if (c >= '0' && c <= '9') {
                                    soffset = match_capture(soffset, c);
                                    if (soffset == -1) return -1;
                                    return match(soffset, poffset + 2);
                                }
                            }
                        }
                        break;
                    case '$':
                        if (poffset + 1 == p.length()) return soffset == s.length() ? soffset : -1;
                        break;
                    default:
                        break;
                }
                int ep = classend(poffset);
                boolean m = soffset < s.length() && singlematch(s.luaByte(soffset), poffset, ep);
                int pc = ep < p.length() ? p.luaByte(ep) : '\0';
                switch (pc) {
                    case '?':
                        int res;
                        if (m && (res = match(soffset + 1, ep + 1)) != -1) return res;
                        poffset = ep + 1;
                        continue;
                    case '*':
                        return max_expand(soffset, poffset, ep);
                    case '+':
                        return m ? max_expand(soffset + 1, poffset, ep) : -1;
                    case '-':
                        return min_expand(soffset, poffset, ep);
                    default:
                        if (!m) return -1;
                        soffset++;
                        poffset = ep;
                        continue;
                }
            }
        }

        /** LuaJ's, with C Lua's error for a set without its ']' (LuaJ read past the pattern's end). */
        @Override
        int classend(int poffset) {
            switch (p.luaByte(poffset++)) {
                case '%':
                    if (poffset == p.length()) LuaValue.error("malformed pattern (ends with '%')");
                    return poffset + 1;
                case '[':
                    if (poffset < p.length() && p.luaByte(poffset) == '^') poffset++;
                    do { // the first byte is part of the set even when it is ']'
                        if (poffset >= p.length()) LuaValue.error("malformed pattern (missing ']')");
                        if (p.luaByte(poffset++) == '%' && poffset < p.length()) poffset++;
                    } while (poffset >= p.length() || p.luaByte(poffset) != ']');
                    return poffset + 1;
                default:
                    return poffset;
            }
        }

        @Override
        boolean singlematch(int c, int poff, int ep) {
            switch (p.luaByte(poff)) {
                case '.': return true;
                case '%': return matchClass(c, p.luaByte(poff + 1));
                case '[': return matchbracketclass(c, poff, ep - 1);
                default: return p.luaByte(poff) == c;
            }
        }

        @Override
        boolean matchbracketclass(int c, int poff, int ec) {
            boolean sig = true;
            if (p.luaByte(poff + 1) == '^') {
                sig = false;
                poff++;
            }
            while (++poff < ec) {
                if (p.luaByte(poff) == '%') {
                    poff++;
                    if (matchClass(c, p.luaByte(poff))) return sig;
                } else if (p.luaByte(poff + 1) == '-' && poff + 2 < ec) {
                    poff += 2;
                    if (p.luaByte(poff - 2) <= c && c <= p.luaByte(poff)) return sig;
                } else if (p.luaByte(poff) == c) {
                    return sig;
                }
            }
            return !sig;
        }
    }

    private static final LuaString SPECIALS = LuaValue.valueOf("^$*+?.([%-");

    /** {@code string.find} and {@code string.match}: LuaJ's {@code str_find_aux}, which failed on an empty pattern. */
    static final class Find extends VarArgFunction {
        private final boolean find;

        Find(boolean find) {
            this.find = find;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            LuaString pat = args.checkstring(2);
            int init = args.optint(3, 1);
            if (init > 0) {
                init = Math.min(init - 1, s.length());
            } else if (init < 0) {
                init = Math.max(0, s.length() + init);
            }
            boolean fastMatch = find && (args.arg(4).toboolean() || pat.indexOfAny(SPECIALS) == -1);
            if (fastMatch) {
                int result = s.indexOf(pat, init);
                if (result != -1) return varargsOf(valueOf(result + 1), valueOf(result + pat.length()));
            } else {
                Matcher ms = new Matcher(args, s, pat);
                boolean anchor = false;
                int poff = 0;
                if (pat.length() > 0 && pat.luaByte(0) == '^') {
                    anchor = true;
                    poff = 1;
                }
                int soff = init;
                do {
                    int res;
                    ms.reset();
                    if ((res = ms.match(soff, poff)) != -1) {
                        return find
                                ? varargsOf(valueOf(soff + 1), valueOf(res), ms.push_captures(false, soff, res))
                                : ms.push_captures(true, soff, res);
                    }
                } while (soff++ < s.length() && !anchor);
            }
            return NIL;
        }
    }

    /**
     * {@code string.gmatch} as in C Lua 5.2: after an empty match the next search starts one byte
     * further (LuaJ's returned the same empty match forever), and the end of the subject is tried too.
     */
    static final class GMatch extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaString src = args.checkstring(1);
            LuaString pat = args.checkstring(2);
            return new GMatchAux(args, src, pat);
        }
    }

    static final class GMatchAux extends VarArgFunction {
        private final int srclen;
        private final Matcher ms;
        private int soffset;

        GMatchAux(Varargs args, LuaString src, LuaString pat) {
            this.srclen = src.length();
            this.ms = new Matcher(args, src, pat);
        }

        @Override
        public Varargs invoke(Varargs args) {
            for (; soffset <= srclen; soffset++) {
                ms.reset();
                int res = ms.match(soffset, 0);
                if (res >= 0) {
                    int soff = soffset;
                    soffset = res == soff ? res + 1 : res;
                    return ms.push_captures(true, soff, res);
                }
            }
            return NIL;
        }
    }

    /** {@code string.gsub}: LuaJ's. */
    static final class GSub extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaString src = args.checkstring(1);
            final int srclen = src.length();
            LuaString p = args.checkstring(2);
            LuaValue repl = args.arg(3);
            int maxS = args.optint(4, srclen + 1);
            final boolean anchor = p.length() > 0 && p.charAt(0) == '^';
            Buffer lbuf = new Buffer(srclen);
            Matcher ms = new Matcher(args, src, p);
            int soffset = 0;
            int n = 0;
            while (n < maxS) {
                ms.reset();
                int res = ms.match(soffset, anchor ? 1 : 0);
                if (res != -1) {
                    n++;
                    ms.add_value(lbuf, soffset, res, repl);
                }
                if (res != -1 && res > soffset) {
                    soffset = res;
                } else if (soffset < srclen) {
                    lbuf.append((byte) src.luaByte(soffset++));
                } else {
                    break;
                }
                if (anchor) break;
            }
            lbuf.append(src.substring(soffset, srclen));
            return varargsOf(lbuf.tostring(), valueOf(n));
        }
    }
}
