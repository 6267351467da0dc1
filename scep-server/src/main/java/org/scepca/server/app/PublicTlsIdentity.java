package org.scepca.server.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.keys.Pkcs12Files;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.SharedCredentials;

/**
 * The key and certificate chain of the public HTTPS connector ({@code public.tls-port}): the configured PEM files
 * ({@code public.tls-cert}, {@code public.tls-key}), or else the server's own certificate from this CA for the host of
 * {@code public-base-url}. That one lives in the database ({@code shared_credentials}, a PKCS#12 under the CA
 * passphrase, like the OCSP responder and the profile signer), so that replicas serve one certificate and a read-only
 * data folder is enough. It is issued on first start, and again, under the {@code db_locks} row {@value #NAME} so that
 * one replica does it, when it has less than {@link #RENEW_BEFORE} left, was revoked, names another host or was
 * issued by an intermediate we no longer use.
 */
public final class PublicTlsIdentity {
    /** The row in {@code shared_credentials} and the {@code db_locks} row (V14) that serializes making a new one. */
    static final String NAME = "public-tls";
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final CertificateAuthority ca;
    private final ServerConfig.PublicTls tls;
    private final Passphrase passphrase;

    /** A key and its chain (server certificate first); {@code toString} hides the key. */
    public record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {
        public KeyAndChain {
            Objects.requireNonNull(key, "key is null");
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("chain is empty");
            }
        }

        /** The server certificate's serial in hex: tells whether the identity in force changed. */
        public String serialHex() {
            return chain.get(0).getSerialNumber().toString(16);
        }

        @Override
        public String toString() {
            return "KeyAndChain[" + chain.get(0).getSubjectX500Principal().getName() + ", key hidden]";
        }
    }

    public PublicTlsIdentity(CertificateAuthority ca, ServerConfig.PublicTls tls, Passphrase passphrase) {
        this.ca = Objects.requireNonNull(ca, "ca is null");
        this.tls = Objects.requireNonNull(tls, "tls is null");
        this.passphrase = Objects.requireNonNull(passphrase, "passphrase is null");
    }

    /**
     * The identity in force: the configured files, or the stored certificate (issued or renewed first if due).
     *
     * @throws InvalidConfigException naming the key when the files cannot be read, or neither they nor
     *                                public-base-url are set
     */
    public KeyAndChain current() {
        if (tls.certificateChain().isPresent()) {
            return fromFiles();
        }
        String host = host();
        SharedCredentials shared = new SharedCredentials(ca.database());
        Optional<KeyAndChain> stored = shared.read(NAME).flatMap(this::decode).filter(k -> usable(k, host));
        if (stored.isPresent()) {
            return stored.get();
        }
        SharedCredentials.Entry e = shared.replace(NAME, NAME,
                current -> current.flatMap(this::decode).filter(k -> usable(k, host)).isEmpty(), () -> issue(host));
        return decode(e).orElseThrow(() -> new IllegalStateException("the stored public TLS identity cannot be read"));
    }

    private KeyAndChain fromFiles() {
        try {
            List<X509Certificate> chain = Pem.readKeyAndCertificates(tls.certificateChain().orElseThrow(), null)
                    .certificates();
            PrivateKey key = Pem.readKeyAndCertificates(tls.privateKey().orElseThrow(), null).key();
            if (chain.isEmpty() || key == null) {
                throw new InvalidConfigException("public.tls-cert must hold the server certificate (PEM) and"
                        + " public.tls-key its unencrypted private key");
            }
            return new KeyAndChain(key, chain);
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidConfigException ice) {
                throw ice;
            }
            throw new InvalidConfigException("cannot read public.tls-cert or public.tls-key: "
                    + e.getClass().getSimpleName());
        }
    }

    private String host() {
        String host = ca.config().publicBaseUrl().map(URI::getHost).filter(h -> !h.isEmpty()).orElseThrow(() ->
                new InvalidConfigException("public.tls-port without public.tls-cert: the server issues its own TLS"
                        + " certificate for the host of public-base-url, which is not set; set public-base-url, or"
                        + " public.tls-cert and public.tls-key"));
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private SharedCredentials.Entry issue(String host) {
        boolean ip = isIpLiteral(host);
        ServerCertificates.Issued issued;
        try {
            issued = ServerCertificates.issue(ca, ip ? List.of() : List.of(host), ip ? List.of(host) : List.of(),
                    false, "server:public-tls");
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("public-base-url: cannot issue a TLS certificate for '" + host + "': "
                    + e.getMessage());
        }
        X509Certificate cert = issued.issued().certificate();
        byte[] p12 = Pkcs12Files.encode(issued.key(), List.of(cert, ca.material().intermediateCertificate()), passphrase);
        AuditLine.op("public-tls-issue").token("serial", issued.issued().record().serialHex())
                .text("subject", cert.getSubjectX500Principal().getName()).token("expires", cert.getNotAfter().toInstant())
                .token("outcome", "issued").token("actor", "server").token("endpoint", "internal").token("txid", "-")
                .token("device", "-").log();
        return new SharedCredentials.Entry(issued.issued().record().serialHex(), cert.getNotAfter().toInstant(), p12);
    }

    private Optional<KeyAndChain> decode(SharedCredentials.Entry e) {
        try {
            Pkcs12Files.KeyAndChain kc = Pkcs12Files.read(e.pkcs12(), passphrase, "the public TLS identity");
            return Optional.of(new KeyAndChain(kc.key(), kc.chain()));
        } catch (RuntimeException ex) {
            return Optional.empty();
        }
    }

    /** Ours (current intermediate), not revoked, naming {@code host}, with more than a month left. */
    private boolean usable(KeyAndChain k, String host) {
        X509Certificate c = k.chain().get(0);
        try {
            c.verify(ca.material().intermediateCertificate().getPublicKey());
            if (c.getNotAfter().toInstant().isBefore(ca.clock().instant().plus(RENEW_BEFORE))) {
                return false;
            }
            if (ca.certificates().find(c.getSerialNumber()).map(r -> r.status() == CertificateStatus.REVOKED)
                    .orElse(true)) {
                return false;
            }
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            // IP SANs come back in Java's long form (0:0:0:0:0:0:0:1): compare addresses, not text.
            String wanted = isIpLiteral(host) ? InetAddress.getByName(host).getHostAddress() : host;
            return sans != null && sans.stream().anyMatch(s -> wanted.equalsIgnoreCase(String.valueOf(s.get(1))));
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The identity comes from public.tls-cert and public.tls-key (renewing them is the operator's business). */
    public boolean fromConfiguredFiles() {
        return tls.certificateChain().isPresent();
    }

    private static boolean isIpLiteral(String host) {
        if (!host.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
            return false;
        }
        try {
            InetAddress.getByName(host); // a literal: never a DNS look-up
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
