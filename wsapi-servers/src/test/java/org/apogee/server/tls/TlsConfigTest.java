package org.apogee.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading certificates and keys in every supported form, and the message for each thing that can be wrong. */
class TlsConfigTest {

    private static final TestCertificates.Files F = TestCertificates.files();

    private static TlsContext load(TlsConfig c) {
        TlsContext context = c.load();
        assertTrue(context.sslContext().createSSLEngine() != null);
        return context;
    }

    /** Loading fails; the message names {@code file} and says {@code problem}. */
    private static void fails(TlsConfig c, Path file, String problem) {
        TlsConfigException e = assertThrows(TlsConfigException.class, c::load);
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void pemCertificateWithEachKeyForm() {
        assertEquals("CN=localhost", load(TlsConfig.pem(F.cert(), F.key())).certificate().getSubjectX500Principal().getName());
        load(TlsConfig.pem(F.cert(), F.pkcs1Key()));
        load(TlsConfig.pem(F.ecCert(), F.ecKey()));
        load(TlsConfig.pem(F.ecCert(), F.ecSec1Key()));
        load(TlsConfig.pem(F.cert(), F.encryptedKey()).withPassword(TestCertificates.PASSWORD));
        load(TlsConfig.pem(F.combined(), null));
        assertEquals(2, load(TlsConfig.pem(F.chain(), F.leafKey())).chain().size());
    }

    @Test
    void enginesAreRestrictedToTheProtocols() {
        TlsContext c = load(TlsConfig.pem(F.ecCert(), F.ecKey()).withProtocols(List.of("TLSv1.3")));
        assertEquals(List.of("TLSv1.3"), List.of(c.configure(c.sslContext().createSSLEngine()).getEnabledProtocols()));
    }

    @Test
    void pkcs12Keystore() {
        TlsContext c = load(TlsConfig.keyStore(F.keyStore(), TestCertificates.PASSWORD));
        assertEquals("CN=localhost", c.certificate().getSubjectX500Principal().getName());
        assertTrue(c.describe().contains("RSA 2048"), c.describe());
    }

    @Test
    void protocolsDefaultToTls13And12AndCanBeRestricted() {
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), TlsConfig.pem(F.cert(), F.key()).protocols());
        assertEquals(List.of("TLSv1.3"), TlsConfig.parseProtocols("TLSv1.3"));
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), TlsConfig.parseProtocols("1.2, tls1.3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsConfig.parseProtocols("TLSv1.1"));
        assertTrue(e.getMessage().contains("'TLSv1.1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TlsConfig.parseProtocols("SSLv3"));
        assertEquals(List.of("TLSv1.2"), TlsConfig.lapps(F.cert(), F.key(), 3).protocols());
        assertEquals(List.of("TLSv1.3"), TlsConfig.lapps(F.cert(), F.key(), 4).protocols());
        assertEquals(List.of("TLSv1.3"), TlsConfig.lapps(F.cert(), F.key(), null).protocols());
    }

    @Test
    void missingFiles() {
        Path missing = F.dir().resolve("no-such.crt");
        fails(TlsConfig.pem(missing, F.key()), missing, "not found");
        Path missingKey = F.dir().resolve("no-such.key");
        fails(TlsConfig.pem(F.cert(), missingKey), missingKey, "not found");
        fails(TlsConfig.pem(F.dir(), F.key()), F.dir(), "is a directory");
    }

    @Test
    void wrongPasswords() {
        fails(TlsConfig.keyStore(F.keyStore(), "not-the-password"), F.keyStore(), "wrong password");
        fails(TlsConfig.keyStore(F.keyStore(), null), F.keyStore(), "protected by a password");
        fails(TlsConfig.pem(F.cert(), F.encryptedKey()).withPassword("not-the-password"), F.encryptedKey(), "wrong password");
        fails(TlsConfig.pem(F.cert(), F.encryptedKey()), F.encryptedKey(), "encrypted; give its password");
        fails(TlsConfig.pem(F.cert(), F.legacyEncryptedKey()), F.legacyEncryptedKey(), "old OpenSSL format");
    }

    @Test
    void keyNotMatchingTheCertificate() {
        fails(TlsConfig.pem(F.cert(), F.otherKey()), F.otherKey(), "does not match the certificate in " + F.cert());
        fails(TlsConfig.pem(F.cert(), F.ecKey()), F.ecKey(), "does not match");
        fails(TlsConfig.pem(F.ecCert(), F.leafKey()), F.leafKey(), "does not match");
        fails(TlsConfig.pem(F.wrongOrderChain(), F.leafKey()), F.wrongOrderChain(), "own certificate must come first");
    }

    @Test
    void expiredAndNotYetValidCertificates() {
        fails(TlsConfig.pem(F.expiredCert(), F.expiredKey()), F.expiredCert(), "expired on");
        fails(TlsConfig.pem(F.futureCert(), F.expiredKey()), F.futureCert(), "not valid before");
    }

    @Test
    void swappedOrWrongFiles(@TempDir Path dir) throws Exception {
        fails(TlsConfig.pem(F.key(), F.cert()), F.key(), "were the certificate and the key swapped?");
        fails(TlsConfig.pem(F.cert(), null), F.cert(), "no private key");
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        fails(TlsConfig.pem(F.cert(), text), text, "not a PEM file");
        fails(TlsConfig.pem(text, null), text, "neither a PEM file");
        Path broken = Files.writeString(dir.resolve("broken.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n");
        fails(TlsConfig.pem(broken, F.key()), broken, "no -----END CERTIFICATE----- line");
        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        fails(TlsConfig.pem(garbage, F.key()), garbage, "cannot be read");
    }

    @Test
    void thePasswordStaysOutOfToString() {
        assertTrue(!TlsConfig.keyStore(F.keyStore(), "s3cret").toString().contains("s3cret"));
    }
}
