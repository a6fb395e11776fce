/**
 * TLS for the standalone servers, with the JDK's TLS only: {@link org.apogee.server.tls.TlsConfig}
 * says where the certificate and key are (PEM files or a PKCS#12 keystore) and which protocol
 * versions to speak; {@link org.apogee.server.tls.TlsConfig#load()} reads and checks them into a
 * {@link org.apogee.server.tls.TlsContext} that any server library (Undertow, Jetty, a WebSocket
 * endpoint) can use. Problems are {@link org.apogee.server.tls.TlsConfigException}s naming the file.
 */
package org.apogee.server.tls;
