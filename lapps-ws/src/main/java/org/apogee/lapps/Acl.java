package org.apogee.lapps;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * An IPv4 access list as lapps.json writes it: {@code {"policy": "allow"|"deny", "exclude": [...]}}.
 * The policy is the default decision and the excluded entries are the exceptions. An entry is
 * {@code a.b.c.d} or {@code a.b.c.d/nn}; without a prefix the classful mask applies (/8, /16, /24,
 * or /32 from 224 up). An entry whose host bits are zero is a network, any other entry one address.
 * IPv6 peers are not filtered (an IPv4-mapped address is filtered as IPv4).
 */
public final class Acl {

    public static final Acl ALLOW_ALL = new Acl(true, List.of());

    private record Entry(int address, int mask) {
        boolean matches(int peer) {
            return (peer & mask) == address;
        }
    }

    private final boolean allow;
    private final List<Entry> exclude;

    private Acl(boolean allow, List<Entry> exclude) {
        this.allow = allow;
        this.exclude = exclude;
    }

    /** Parses a policy and its exclusions; throws IllegalArgumentException naming the bad part. */
    public static Acl of(String policy, List<String> exclude) {
        boolean allow = switch (policy) {
            case "allow" -> true;
            case "deny" -> false;
            default -> throw new IllegalArgumentException("acl.policy must be \"allow\" or \"deny\", not \"" + policy + "\"");
        };
        List<Entry> entries = new ArrayList<>();
        for (String e : exclude) entries.add(entry(e));
        return new Acl(allow, List.copyOf(entries));
    }

    private static Entry entry(String text) {
        String addr = text;
        int prefix = -1;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            addr = text.substring(0, slash);
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = 99;
            }
            if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("acl entry \"" + text + "\": the prefix must be 0 to 32");
        }
        String[] parts = addr.split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("acl entry \"" + text + "\" is not an IPv4 address (a.b.c.d or a.b.c.d/nn)");
        int ip = 0;
        for (String p : parts) {
            int octet;
            try {
                octet = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                octet = -1;
            }
            if (octet < 0 || octet > 255) throw new IllegalArgumentException("acl entry \"" + text + "\" is not an IPv4 address");
            ip = (ip << 8) | octet;
        }
        if (prefix < 0) {
            int first = ip >>> 24;
            prefix = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
        }
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (ip & ~mask) == 0 ? new Entry(ip, mask) : new Entry(ip, -1);
    }

    /** True when the peer may connect. */
    public boolean admits(InetAddress peer) {
        Integer ip = ipv4(peer);
        if (ip == null) return true;
        for (Entry e : exclude) {
            if (e.matches(ip)) return !allow;
        }
        return allow;
    }

    private static Integer ipv4(InetAddress peer) {
        byte[] b;
        if (peer instanceof Inet4Address) {
            b = peer.getAddress();
        } else if (peer instanceof Inet6Address v6) {
            byte[] a = v6.getAddress();
            for (int i = 0; i < 10; i++) if (a[i] != 0) return null;
            if (a[10] != (byte) 0xff || a[11] != (byte) 0xff) return null;
            b = new byte[] {a[12], a[13], a[14], a[15]};
        } else {
            return null;
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }
}
