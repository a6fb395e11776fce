package org.apogee.server.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Reads a {@link TlsConfig}'s files with the JDK alone (no BouncyCastle), checks them and builds the
 * SSL context. Every failure is a {@link TlsConfigException} that names the file and the problem.
 */
final class TlsLoader {

    private TlsLoader() {}

    /** One PEM block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}, ...), RFC 1421 headers, content. */
    record Pem(String label, List<String> headers, byte[] der, int line) {
        boolean isKey() {
            return label.endsWith("PRIVATE KEY");
        }
    }

    static TlsContext load(TlsConfig config) {
        Path certFile = config.certificate();
        byte[] certBytes = read(certFile, "certificate file");
        Path keyFile;
        PrivateKey key;
        List<X509Certificate> chain;
        if (isPem(certBytes)) {
            List<Pem> blocks = pem(certFile, "certificate file", certBytes);
            chain = certificates(certFile, blocks);
            if (config.key() != null) {
                keyFile = config.key();
                byte[] keyBytes = read(keyFile, "key file");
                if (!isPem(keyBytes)) {
                    throw new TlsConfigException(keyFile, "TLS key file " + keyFile
                            + ": not a PEM file (no -----BEGIN ... PRIVATE KEY----- line)");
                }
                key = privateKey(keyFile, "key file", pem(keyFile, "key file", keyBytes), config.password());
            } else {
                keyFile = certFile;
                key = privateKey(certFile, "certificate file", blocks, config.password());
            }
        } else if (config.key() == null) {
            keyFile = certFile;
            KeyStoreEntry entry = keyStore(certFile, config.password());
            key = entry.key;
            chain = entry.chain;
        } else {
            throw new TlsConfigException(certFile, "TLS certificate file " + certFile
                    + ": not a PEM file (no -----BEGIN CERTIFICATE----- line); a PKCS#12 keystore is given without a key file");
        }
        checkPair(keyFile, key, certFile, chain);
        checkDates(certFile, chain);
        return new TlsContext(context(certFile, key, chain, config.protocols()), config.protocols(), chain);
    }

    // ---- files and PEM ----

    static byte[] read(Path file, String what) {
        try {
            if (Files.isDirectory(file)) throw new TlsConfigException(file, "TLS " + what + " " + file + ": is a directory, not a file");
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(file, "TLS " + what + " " + file + ": not found");
        } catch (AccessDeniedException e) {
            throw new TlsConfigException(file, "TLS " + what + " " + file + ": permission denied");
        } catch (IOException e) {
            throw new TlsConfigException(file, "TLS " + what + " " + file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    static boolean isPem(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains("-----BEGIN ");
    }

    static List<Pem> pem(Path file, String what, byte[] bytes) {
        List<Pem> out = new ArrayList<>();
        String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n|\r");
        String label = null;
        int start = 0;
        List<String> headers = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (label == null) {
                if (line.startsWith("-----BEGIN ") && line.endsWith("-----")) {
                    label = line.substring(11, line.length() - 5);
                    start = i + 1;
                    headers = new ArrayList<>();
                    body.setLength(0);
                }
            } else if (line.startsWith("-----END ")) {
                if (!line.equals("-----END " + label + "-----")) {
                    throw new TlsConfigException(file, "TLS " + what + " " + file + ": line " + (i + 1) + " ends a " + label
                            + " block with '" + line + "'");
                }
                try {
                    out.add(new Pem(label, List.copyOf(headers), Base64.getMimeDecoder().decode(body.toString()), start));
                } catch (IllegalArgumentException e) {
                    throw new TlsConfigException(file, "TLS " + what + " " + file + ": the " + label + " block at line " + start
                            + " is not valid base64 (" + e.getMessage() + ")");
                }
                label = null;
            } else if (line.contains(":")) {
                headers.add(line);
            } else {
                body.append(line);
            }
        }
        if (label != null) {
            throw new TlsConfigException(file, "TLS " + what + " " + file + ": the " + label + " block at line " + start
                    + " has no -----END " + label + "----- line");
        }
        return out;
    }

    // ---- certificates ----

    private static List<X509Certificate> certificates(Path file, List<Pem> blocks) {
        List<X509Certificate> chain = new ArrayList<>();
        boolean hasKey = false;
        CertificateFactory factory = certificateFactory();
        for (Pem b : blocks) {
            if (b.isKey()) hasKey = true;
            if (!b.label().equals("CERTIFICATE") && !b.label().equals("X509 CERTIFICATE")) continue;
            try {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
            } catch (CertificateException e) {
                throw new TlsConfigException(file, "TLS certificate file " + file + ": the certificate at line " + b.line()
                        + " cannot be read (" + e.getMessage() + ")", e);
            }
        }
        if (chain.isEmpty()) {
            throw new TlsConfigException(file, "TLS certificate file " + file + ": no certificate (-----BEGIN CERTIFICATE-----)"
                    + (hasKey ? "; it holds a private key: were the certificate and the key swapped?" : ""));
        }
        return chain;
    }

    private static CertificateFactory certificateFactory() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
    }

    private static void checkDates(Path file, List<X509Certificate> chain) {
        Date now = new Date();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            String which = i == 0 ? "the certificate" : "intermediate certificate #" + (i + 1);
            String subject = " (subject " + c.getSubjectX500Principal().getName() + ")";
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                throw new TlsConfigException(file, "TLS certificate file " + file + ": " + which + " expired on "
                        + date(c.getNotAfter()) + subject + "; renew it");
            } catch (CertificateNotYetValidException e) {
                throw new TlsConfigException(file, "TLS certificate file " + file + ": " + which + " is not valid before "
                        + date(c.getNotBefore()) + subject + "; check the system clock");
            }
        }
    }

    private static String date(Date d) {
        return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(d.toInstant().atOffset(ZoneOffset.UTC).withNano(0)) + "Z";
    }

    // ---- private keys ----

    private static PrivateKey privateKey(Path file, String what, List<Pem> blocks, String password) {
        List<Pem> keys = blocks.stream().filter(Pem::isKey).toList();
        if (keys.isEmpty()) {
            boolean hasCert = blocks.stream().anyMatch(b -> b.label().equals("CERTIFICATE"));
            throw new TlsConfigException(file, "TLS " + what + " " + file + ": no private key (-----BEGIN PRIVATE KEY-----)"
                    + (hasCert ? "; it holds a certificate: " + (what.startsWith("key") ? "were the certificate and the key swapped?"
                    : "give the key file too") : ""));
        }
        if (keys.size() > 1) {
            throw new TlsConfigException(file, "TLS " + what + " " + file + ": " + keys.size() + " private keys; keep only the server's");
        }
        Pem k = keys.get(0);
        String prefix = "TLS " + what + " " + file + ": ";
        boolean legacyEncrypted = k.headers().stream().anyMatch(h -> h.toUpperCase(Locale.ROOT).startsWith("PROC-TYPE:")
                && h.toUpperCase(Locale.ROOT).contains("ENCRYPTED"));
        if (legacyEncrypted) {
            throw new TlsConfigException(file, prefix + "the key is encrypted in the old OpenSSL format, which is not supported;"
                    + " convert it with 'openssl pkcs8 -topk8 -in " + file + " -out key.pem' (encrypted PKCS#8)"
                    + " or add -nocrypt for a plain key");
        }
        try {
            return switch (k.label()) {
                case "PRIVATE KEY" -> pkcs8(file, prefix, k.der());
                case "RSA PRIVATE KEY" -> pkcs8(file, prefix, Der.sequence(Der.integer(0),
                        Der.sequence(Der.oid(Der.RSA_ENCRYPTION), Der.nullValue()), Der.octetString(k.der())));
                case "EC PRIVATE KEY" -> pkcs8(file, prefix, sec1ToPkcs8(file, prefix, k.der()));
                case "ENCRYPTED PRIVATE KEY" -> pkcs8(file, prefix, decrypt(file, prefix, k.der(), password));
                default -> throw new TlsConfigException(file, prefix + "unsupported key type '" + k.label()
                        + "' (use a PEM RSA, EC or Ed25519 key: PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
            };
        } catch (IllegalArgumentException e) {
            throw new TlsConfigException(file, prefix + "the " + k.label() + " at line " + k.line() + " is damaged (" + e.getMessage() + ")", e);
        }
    }

    private static PrivateKey pkcs8(Path file, String prefix, byte[] der) {
        List<Der.Element> fields = Der.single(der).children();
        if (fields.size() < 3) throw new IllegalArgumentException("not a PKCS#8 private key");
        String oid = fields.get(1).children().get(0).oid();
        String algorithm = switch (oid) {
            case Der.RSA_ENCRYPTION -> "RSA";
            case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
            case Der.EC_PUBLIC_KEY -> "EC";
            case "1.3.101.112" -> "Ed25519";
            case "1.3.101.113" -> "Ed448";
            case "1.2.840.10040.4.1" -> "DSA";
            default -> throw new TlsConfigException(file, prefix + "unsupported key algorithm (OID " + oid + "); use an RSA, EC or Ed25519 key");
        };
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException(file, prefix + "the " + algorithm + " private key cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** SEC1 {@code ECPrivateKey} (RFC 5915) into PKCS#8, taking the curve from its parameters. */
    private static byte[] sec1ToPkcs8(Path file, String prefix, byte[] sec1) {
        String curve = null;
        for (Der.Element e : Der.single(sec1).children()) {
            if (e.tag() == 0xa0) curve = e.children().get(0).oid();
        }
        if (curve == null) {
            throw new TlsConfigException(file, prefix + "the EC PRIVATE KEY does not name its curve; convert it with"
                    + " 'openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem'");
        }
        return Der.sequence(Der.integer(0), Der.sequence(Der.oid(Der.EC_PUBLIC_KEY), Der.oid(curve)), Der.octetString(sec1));
    }

    private static byte[] decrypt(Path file, String prefix, byte[] der, String password) {
        if (password == null) {
            throw new TlsConfigException(file, prefix + "the private key is encrypted; give its password");
        }
        EncryptedPrivateKeyInfo info;
        try {
            info = new EncryptedPrivateKeyInfo(der);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an encrypted PKCS#8 key: " + e.getMessage(), e);
        }
        String algorithm = info.getAlgName();
        AlgorithmParameters params = info.getAlgParameters();
        // PBES2 names its real cipher and PRF in the parameters (e.g. PBEWithHmacSHA256AndAES_256)
        if (params != null && (algorithm.equals("PBES2") || algorithm.equals("1.2.840.113549.1.5.13"))) algorithm = params.toString();
        try {
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password.toCharArray())), params);
            return info.getKeySpec(cipher).getEncoded();
        } catch (NoSuchAlgorithmException e) {
            throw new TlsConfigException(file, prefix + "the private key is encrypted with " + algorithm + ", which this JDK cannot decrypt;"
                    + " re-encrypt it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc -in " + file + " -out key.pem'", e);
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException(file, prefix + "wrong password for the private key", e);
        }
    }

    // ---- keystores ----

    private record KeyStoreEntry(PrivateKey key, List<X509Certificate> chain) {}

    private static KeyStoreEntry keyStore(Path file, String password) {
        String prefix = "TLS keystore " + file + ": ";
        char[] pw = password == null ? new char[0] : password.toCharArray();
        KeyStore store;
        try {
            store = KeyStore.getInstance(file.toFile(), pw);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new TlsConfigException(file, prefix + (password == null ? "it is protected by a password; give it"
                        : "wrong password"), e);
            }
            throw new TlsConfigException(file, prefix + "cannot be read (" + e.getMessage() + ")", e);
        } catch (KeyStoreException | NoSuchAlgorithmException | CertificateException e) {
            throw new TlsConfigException(file, "TLS certificate file " + file + ": neither a PEM file (no -----BEGIN CERTIFICATE----- line)"
                    + " nor a PKCS#12 or JKS keystore", e);
        }
        try {
            List<String> keyAliases = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) if (store.isKeyEntry(alias)) keyAliases.add(alias);
            if (keyAliases.isEmpty()) throw new TlsConfigException(file, prefix + "holds no private key, only certificates");
            if (keyAliases.size() > 1) {
                throw new TlsConfigException(file, prefix + "holds " + keyAliases.size() + " private keys (" + String.join(", ", keyAliases)
                        + "); keep only the server's");
            }
            String alias = keyAliases.get(0);
            PrivateKey key;
            try {
                key = (PrivateKey) store.getKey(alias, pw);
            } catch (UnrecoverableKeyException e) {
                throw new TlsConfigException(file, prefix + "wrong password for the key '" + alias + "'", e);
            }
            Certificate[] certs = store.getCertificateChain(alias);
            if (certs == null || certs.length == 0) throw new TlsConfigException(file, prefix + "the key '" + alias + "' has no certificate");
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : certs) chain.add((X509Certificate) c);
            return new KeyStoreEntry(key, chain);
        } catch (KeyStoreException | NoSuchAlgorithmException e) {
            throw new TlsConfigException(file, prefix + "cannot be read (" + e.getMessage() + ")", e);
        }
    }

    // ---- checks and the context ----

    private static void checkPair(Path keyFile, PrivateKey key, Path certFile, List<X509Certificate> chain) {
        if (matches(key, chain.get(0).getPublicKey())) return;
        String subject = chain.get(0).getSubjectX500Principal().getName();
        for (int i = 1; i < chain.size(); i++) {
            if (matches(key, chain.get(i).getPublicKey())) {
                throw new TlsConfigException(certFile, "TLS certificate file " + certFile + ": the server's own certificate must come first;"
                        + " the key in " + keyFile + " belongs to certificate #" + (i + 1) + " ("
                        + chain.get(i).getSubjectX500Principal().getName() + ")");
            }
        }
        throw new TlsConfigException(keyFile, "TLS key file " + keyFile + ": the key does not match the certificate in " + certFile
                + " (" + key.getAlgorithm() + " key; certificate for " + subject + " with an " + chain.get(0).getPublicKey().getAlgorithm()
                + " key); they are not a pair");
    }

    /** True when {@code key} is the private half of {@code pub}. */
    static boolean matches(PrivateKey key, PublicKey pub) {
        if (key instanceof RSAKey k && pub instanceof RSAKey p) return k.getModulus().equals(p.getModulus());
        if (key instanceof RSAKey || pub instanceof RSAKey) return false;
        if (key instanceof ECKey k && pub instanceof ECKey p
                && !k.getParams().getOrder().equals(p.getParams().getOrder())) return false;
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static SSLContext context(Path file, PrivateKey key, List<X509Certificate> chain, List<String> protocols) {
        try {
            char[] pw = "apogee".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, pw, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(store, pw);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            List<String> supported = List.of(context.getSupportedSSLParameters().getProtocols());
            for (String p : protocols) {
                if (!supported.contains(p)) throw new TlsConfigException(file, "this JDK does not support " + p + " (it supports " + supported + ")");
            }
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsConfigException(file, "TLS certificate file " + file + ": cannot set up TLS with this key and certificate ("
                    + e.getMessage() + ")", e);
        }
    }
}
