package org.apogee.server.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough DER (ASN.1) to rewrap private keys: writing tag-length-value elements and reading
 * the elements of a sequence. Not a general ASN.1 library.
 */
final class Der {

    static final int INTEGER = 0x02, BIT_STRING = 0x03, OCTET_STRING = 0x04, NULL = 0x05, OID = 0x06,
            UTF8_STRING = 0x0c, PRINTABLE_STRING = 0x13, UTC_TIME = 0x17, GENERALIZED_TIME = 0x18,
            SEQUENCE = 0x30, SET = 0x31;

    /** rsaEncryption, 1.2.840.113549.1.1.1 */
    static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    /** id-ecPublicKey, 1.2.840.10045.2.1 */
    static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";

    private Der() {}

    /** One element: its tag and its content bytes. */
    record Element(int tag, byte[] content) {
        /** The elements inside a constructed element (a SEQUENCE, or an explicit [n] tag). */
        List<Element> children() {
            return read(content);
        }

        String oid() {
            if (tag != OID) throw new IllegalArgumentException("expected an OBJECT IDENTIFIER, found tag " + tag);
            return decodeOid(content);
        }
    }

    /** Reads consecutive elements until the end of {@code bytes}. */
    static List<Element> read(byte[] bytes) {
        List<Element> out = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int tag = bytes[i++] & 0xff;
            if ((tag & 0x1f) == 0x1f) throw new IllegalArgumentException("multi-byte DER tags are not supported");
            if (i >= bytes.length) throw new IllegalArgumentException("truncated DER");
            int len = bytes[i++] & 0xff;
            if (len > 0x80) {
                int n = len & 0x7f;
                if (n > 4) throw new IllegalArgumentException("DER length too large");
                len = 0;
                for (int k = 0; k < n; k++) {
                    if (i >= bytes.length) throw new IllegalArgumentException("truncated DER");
                    len = (len << 8) | (bytes[i++] & 0xff);
                }
            } else if (len == 0x80) {
                throw new IllegalArgumentException("indefinite DER length");
            }
            if (len < 0 || i + len > bytes.length) throw new IllegalArgumentException("truncated DER");
            byte[] content = new byte[len];
            System.arraycopy(bytes, i, content, 0, len);
            out.add(new Element(tag, content));
            i += len;
        }
        return out;
    }

    /** The single element {@code bytes} holds. */
    static Element single(byte[] bytes) {
        List<Element> all = read(bytes);
        if (all.size() != 1) throw new IllegalArgumentException("expected one DER element, found " + all.size());
        return all.get(0);
    }

    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int n = len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4;
            out.write(0x80 | n);
            for (int k = n - 1; k >= 0; k--) out.write(len >>> (8 * k));
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... parts) {
        return tlv(SEQUENCE, concat(parts));
    }

    static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray());
    }

    static byte[] integer(long value) {
        return integer(BigInteger.valueOf(value));
    }

    static byte[] octetString(byte[] content) {
        return tlv(OCTET_STRING, content);
    }

    static byte[] nullValue() {
        return new byte[] {NULL, 0};
    }

    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int k = 2; k < arcs.length; k++) {
            long arc = Long.parseLong(arcs[k]);
            int groups = 1;
            while ((arc >>> (7 * groups)) != 0) groups++;
            for (int g = groups - 1; g >= 0; g--) out.write((int) ((arc >>> (7 * g)) & 0x7f) | (g > 0 ? 0x80 : 0));
        }
        return tlv(OID, out.toByteArray());
    }

    static String decodeOid(byte[] content) {
        if (content.length == 0) throw new IllegalArgumentException("empty OBJECT IDENTIFIER");
        StringBuilder sb = new StringBuilder();
        int first = content[0] & 0xff;
        sb.append(Math.min(first / 40, 2)).append('.').append(first - 40 * Math.min(first / 40, 2));
        long arc = 0;
        for (int k = 1; k < content.length; k++) {
            arc = (arc << 7) | (content[k] & 0x7f);
            if ((content[k] & 0x80) == 0) {
                sb.append('.').append(arc);
                arc = 0;
            }
        }
        return sb.toString();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
