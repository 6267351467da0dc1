package org.scepca.server.app;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.pem.Pem;

/**
 * TLS connectors of this server (the admin mTLS connector, the public HTTPS connector EST needs): a PEM server chain
 * and key, client certificates validated against this CA only, TLS 1.2 and 1.3.
 */
public final class TlsConnectors {
    /** Whether the handshake asks for a client certificate (RFC 8446 §4.3.2), and whether it insists on one. */
    public enum ClientAuth { NEED, WANT }

    private TlsConnectors() {
    }

    /**
     * From PEM files (the admin connector's {@code admin.tls-cert} and {@code admin.tls-key}).
     *
     * @param keyPrefix the configuration keys' prefix ({@code admin.}), for errors naming the key
     * @throws InvalidConfigException if the files cannot be read
     */
    public static SslContextFactory.Server sslContext(Path certificateChain, Path privateKey, CertificateAuthority ca,
            ClientAuth clientAuth, String keyPrefix) {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = Pem.readKeyAndCertificates(certificateChain, null).certificates();
            key = Pem.readKeyAndCertificates(privateKey, null).key();
        } catch (IOException | RuntimeException e) {
            throw new InvalidConfigException("cannot load " + keyPrefix + "tls-cert or " + keyPrefix + "tls-key: "
                    + e.getClass().getSimpleName());
        }
        if (chain.isEmpty() || key == null) {
            throw new InvalidConfigException(keyPrefix + "tls-cert must hold the server certificate (PEM) and "
                    + keyPrefix + "tls-key its unencrypted private key");
        }
        return sslContext(key, chain, ca, clientAuth);
    }

    /** With a key and its chain (server certificate first); client certificates are checked against this CA only. */
    public static SslContextFactory.Server sslContext(PrivateKey key, List<X509Certificate> chain, CertificateAuthority ca,
            ClientAuth clientAuth) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", ca.material().root());
            trust.setCertificateEntry("issuing", ca.material().intermediateCertificate());
            ssl.setTrustStore(trust);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the trust store: " + e.getClass().getSimpleName());
        }
        setIdentity(ssl, key, chain);
        if (clientAuth == ClientAuth.NEED) {
            ssl.setNeedClientAuth(true);
        } else {
            ssl.setWantClientAuth(true);
        }
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return ssl;
    }

    /**
     * Sets the server key and chain: before start, or inside {@link SslContextFactory#reload} to serve a renewed
     * certificate without a restart.
     */
    public static void setIdentity(SslContextFactory ssl, PrivateKey key, List<X509Certificate> chain) {
        try {
            byte[] pw = new byte[16];
            new SecureRandom().nextBytes(pw);
            // In-memory key store only: the password protects nothing on disk, it is just required by the API.
            char[] password = HexFormat.of().formatHex(pw).toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
            ssl.setKeyStore(keys);
            ssl.setKeyStorePassword(new String(password));
            Arrays.fill(password, '\0');
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the key store: " + e.getClass().getSimpleName());
        }
    }

    /** An HTTPS connector named {@code name} (Jetty routes contexts to connectors by name). */
    public static ServerConnector connector(Server server, SslContextFactory.Server ssl, String name, String host,
            int port) {
        HttpConfiguration https = new HttpConfiguration();
        https.setSendServerVersion(false);
        https.setSendXPoweredBy(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients may reach the server by IP or an internal name that is not in its certificate.
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(https));
        c.setName(name);
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(30_000);
        return c;
    }
}
