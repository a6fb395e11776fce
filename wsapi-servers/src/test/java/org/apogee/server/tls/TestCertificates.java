package org.apogee.server.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made at test time, in process (no keytool or openssl run), written as
 * the files users hand to the servers: PEM certificates, PEM keys in every supported form, a
 * PKCS#12 keystore. Made once per test JVM in a temporary folder that is deleted at exit. Nothing
 * here is committed: no private key ever enters the repository.
 */
public final class TestCertificates {

    public static final String PASSWORD = "test-secret";

    /** The files the tests use; {@code cert}/{@code key} is the good pair for 127.0.0.1 and localhost. */
    public record Files(Path dir, Path cert, Path key, Path pkcs1Key, Path combined, Path encryptedKey, Path legacyEncryptedKey,
                        Path ecCert, Path ecKey, Path ecSec1Key, Path keyStore, Path otherKey, Path expiredCert, Path expiredKey,
                        Path futureCert, Path wrongOrderChain, Path caCert, Path leafCert, Path leafKey, Path chain) {}

    private static Files files;
    private static X509Certificate rsaCert, ecCert, caCert;

    private TestCertificates() {}

    /** Makes the files on first use. */
    public static synchronized Files files() {
        if (files == null) {
            try {
                files = make();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot make test certificates", e);
            }
        }
        return files;
    }

    private static SSLContext clientContext;

    /** A client context that trusts the good test certificates (RSA, EC and the test CA), and only those. */
    public static synchronized SSLContext clientContext() {
        files();
        if (clientContext == null) clientContext = newClientContext();
        return clientContext;
    }

    private static SSLContext newClientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("rsa", rsaCert);
            trust.setCertificateEntry("ec", ecCert);
            trust.setCertificateEntry("ca", caCert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Files make() throws GeneralSecurityException, IOException {
        Path dir = java.nio.file.Files.createTempDirectory("apogee-tls-test");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofHours(1)), until = now.plus(Duration.ofDays(2));

        KeyPair rsa = keyPair("RSA");
        rsaCert = selfSigned("localhost", rsa, rsa.getPrivate(), "localhost", from, until, false);
        Path cert = write(dir, "server.crt", pem("CERTIFICATE", rsaCert.getEncoded()));
        byte[] pkcs8 = rsa.getPrivate().getEncoded();
        Path key = write(dir, "server.key", pem("PRIVATE KEY", pkcs8));
        byte[] pkcs1 = Der.single(pkcs8).children().get(2).content();
        Path pkcs1Key = write(dir, "server-rsa.key", pem("RSA PRIVATE KEY", pkcs1));
        Path combined = write(dir, "combined.pem", pem("CERTIFICATE", rsaCert.getEncoded()) + pem("PRIVATE KEY", pkcs8));
        Path encryptedKey = write(dir, "server-encrypted.key", pem("ENCRYPTED PRIVATE KEY", encrypt(pkcs8, PASSWORD)));
        Path legacy = write(dir, "server-legacy.key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs1) + "\n-----END RSA PRIVATE KEY-----\n");

        KeyPair ec = keyPair("EC");
        ecCert = selfSigned("localhost", ec, ec.getPrivate(), "localhost", from, until, false);
        Path ecCertFile = write(dir, "ec.crt", pem("CERTIFICATE", ecCert.getEncoded()));
        byte[] ecPkcs8 = ec.getPrivate().getEncoded();
        Path ecKey = write(dir, "ec.key", pem("PRIVATE KEY", ecPkcs8));
        // SEC1 as "openssl ecparam -genkey" writes it: the curve in [0], after an EC PARAMETERS block
        List<Der.Element> inner = Der.single(Der.single(ecPkcs8).children().get(2).content()).children();
        byte[] curve = Der.oid("1.2.840.10045.3.1.7");
        byte[] sec1 = Der.sequence(Der.integer(1), Der.octetString(inner.get(1).content()), Der.tlv(0xa0, curve));
        Path ecSec1Key = write(dir, "ec-sec1.key", pem("EC PARAMETERS", curve) + pem("EC PRIVATE KEY", sec1));

        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", rsa.getPrivate(), PASSWORD.toCharArray(), new X509Certificate[] {rsaCert});
        Path keyStore = dir.resolve("server.p12");
        try (OutputStream out = java.nio.file.Files.newOutputStream(keyStore)) {
            store.store(out, PASSWORD.toCharArray());
        }

        // a second RSA key, never used for TLS: 1024 bits is enough and much quicker to make
        KeyPair other = keyPair("RSA", 1024);
        Path otherKey = write(dir, "other.key", pem("PRIVATE KEY", other.getPrivate().getEncoded()));
        X509Certificate expired = selfSigned("localhost", other, other.getPrivate(), "localhost",
                now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)), false);
        Path expiredCert = write(dir, "expired.crt", pem("CERTIFICATE", expired.getEncoded()));
        X509Certificate future = selfSigned("localhost", other, other.getPrivate(), "localhost",
                now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(3)), false);
        Path futureCert = write(dir, "future.crt", pem("CERTIFICATE", future.getEncoded()));

        // a small CA and a server certificate it signed, as a chain file in both orders
        KeyPair caKeys = keyPair("EC");
        caCert = selfSigned("Apogee Test CA", caKeys, caKeys.getPrivate(), "Apogee Test CA", from, until, true);
        KeyPair leaf = keyPair("EC");
        X509Certificate leafCert = selfSigned("localhost", leaf, caKeys.getPrivate(), "Apogee Test CA", from, until, false);
        Path caFile = write(dir, "ca.crt", pem("CERTIFICATE", caCert.getEncoded()));
        Path leafFile = write(dir, "leaf.crt", pem("CERTIFICATE", leafCert.getEncoded()));
        Path leafKey = write(dir, "leaf.key", pem("PRIVATE KEY", leaf.getPrivate().getEncoded()));
        Path chain = write(dir, "chain.crt", pem("CERTIFICATE", leafCert.getEncoded()) + pem("CERTIFICATE", caCert.getEncoded()));
        Path wrongOrder = write(dir, "wrong-order.crt", pem("CERTIFICATE", caCert.getEncoded()) + pem("CERTIFICATE", leafCert.getEncoded()));

        return new Files(dir, cert, key, pkcs1Key, combined, encryptedKey, legacy, ecCertFile, ecKey, ecSec1Key, keyStore, otherKey,
                expiredCert, otherKey, futureCert, wrongOrder, caFile, leafFile, leafKey, chain);
    }

    private static KeyPair keyPair(String algorithm) throws GeneralSecurityException {
        return keyPair(algorithm, 2048);
    }

    private static KeyPair keyPair(String algorithm, int rsaBits) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) g.initialize(new ECGenParameterSpec("secp256r1"));
        else g.initialize(rsaBits);
        return g.generateKeyPair();
    }

    /** An X.509 v3 certificate for {@code subject}, signed by {@code signer} (itself for a self-signed one). */
    static X509Certificate selfSigned(String subject, KeyPair keys, PrivateKey signer, String issuer, Instant from, Instant until,
                                      boolean ca) throws GeneralSecurityException {
        boolean rsa = signer.getAlgorithm().equals("RSA");
        String sigAlg = rsa ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] algId = rsa ? Der.sequence(Der.oid("1.2.840.113549.1.1.11"), Der.nullValue()) : Der.sequence(Der.oid("1.2.840.10045.4.3.2"));
        byte[] san = Der.sequence(Der.tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)),
                Der.tlv(0x87, InetAddress.getLoopbackAddress().getAddress()));
        byte[] extensions = ca
                ? Der.sequence(Der.sequence(Der.oid("2.5.29.19"), new byte[] {0x01, 0x01, (byte) 0xff},
                        Der.octetString(Der.sequence(new byte[] {0x01, 0x01, (byte) 0xff}))))
                : Der.sequence(Der.sequence(Der.oid("2.5.29.17"), Der.octetString(san)));
        byte[] tbs = Der.sequence(
                Der.tlv(0xa0, Der.integer(2)),
                Der.integer(new BigInteger(64, new SecureRandom()).add(BigInteger.ONE)),
                algId,
                name(issuer),
                Der.sequence(time(from), time(until)),
                name(subject),
                keys.getPublic().getEncoded(),
                Der.tlv(0xa3, extensions));
        Signature s = Signature.getInstance(sigAlg);
        s.initSign(signer);
        s.update(tbs);
        byte[] signature = s.sign();
        byte[] cert = Der.sequence(tbs, algId, Der.tlv(Der.BIT_STRING, Der.concat(new byte[] {0}, signature)));
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(cert));
    }

    private static byte[] name(String cn) {
        return Der.sequence(Der.tlv(Der.SET, Der.sequence(Der.oid("2.5.4.3"), Der.tlv(Der.UTF8_STRING, cn.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] time(Instant t) {
        String s = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").format(t.atOffset(ZoneOffset.UTC));
        return Der.tlv(Der.UTC_TIME, s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] encrypt(byte[] pkcs8, String password) throws GeneralSecurityException, IOException {
        String algorithm = "PBEWithHmacSHA256AndAES_256";
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16], iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.ENCRYPT_MODE, SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password.toCharArray())),
                new PBEParameterSpec(salt, 10_000, new IvParameterSpec(iv)));
        byte[] encrypted = cipher.doFinal(pkcs8);
        // EncryptedPrivateKeyInfo cannot name PBES2 from its parameters; write the structure (RFC 5208) directly
        byte[] pbes2 = Der.sequence(Der.oid("1.2.840.113549.1.5.13"), cipher.getParameters().getEncoded());
        return new EncryptedPrivateKeyInfo(Der.sequence(pbes2, Der.octetString(encrypted))).getEncoded();
    }

    public static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        return java.nio.file.Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = java.nio.file.Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
