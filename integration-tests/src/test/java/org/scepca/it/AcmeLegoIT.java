package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.pem.Pem;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.server.app.Running;

/**
 * RFC 8555 end to end with a second client nobody here wrote: Debian's lego (Go, 4.9) against {@code
 * /acme/web/directory} over http, http-01 through lego's own server on loopback (the endpoint allows private targets
 * for this). {@code run} with an EC P-256 key (and account key, ES256) and with an RSA 2048 key (and account key,
 * RS256), {@code --csr} with an openssl CSR that names its identifier in the CN only (RFC 8555 §7.4; refused before
 * the fix), {@code renew --days 9999 --no-random-sleep} (lego otherwise sleeps up to 8 minutes before a renewal),
 * {@code revoke --reason 1}; the revocation is then checked in the store, on the published CRL and by OCSP ({@code
 * openssl ocsp}). Skipped without lego, unless {@code SCEPCA_REQUIRE_LEGO=1} (CI), where a missing lego fails.
 */
class AcmeLegoIT {
    private static final Path LEGO = Path.of("/usr/bin/lego");

    private AuditLines audit;

    @BeforeEach
    void listen() {
        audit = AuditLines.attach();
    }

    @AfterEach
    void stopListening() {
        audit.detach();
    }

    static void requireLego() {
        AcmeHttp01Server.requireClient(LEGO, "SCEPCA_REQUIRE_LEGO");
    }

    @Test
    void legoIssuesRenewsAndRevokes(@TempDir Path tmp) throws Exception {
        requireLego();
        try (AcmeHttp01Server acme = AcmeHttp01Server.start(tmp)) {
            Running server = acme.server();
            String base = acme.base();
            int httpPort = acme.httpPort();
            String directory = acme.directory();
            X509Certificate intermediate = server.ca().material().intermediateCertificate();

            // run, EC P-256: lego makes the account key with the certificate's key type (ES256 here).
            Path ec = tmp.resolve("lego-ec");
            ThirdPartyClientsIT.Result issued = lego(tmp, directory, ec, httpPort, "--key-type", "ec256", "-d",
                    "localhost", "run");
            assertThat(issued.exit()).as(issued.output() + trail()).isZero();
            X509Certificate first = leaf(ec);
            first.verify(intermediate.getPublicKey());
            assertThat(first.getPublicKey().getAlgorithm()).isEqualTo("EC");
            assertServerCertificate(first);
            // lego's .crt is the bundle (leaf, then the issuing CA), its .issuer.crt the issuing CA.
            assertThat(Files.readString(ec.resolve("certificates/localhost.issuer.crt")))
                    .isEqualTo(Pem.encode(intermediate));
            CertificateRecord record = server.ca().certificates().find(first.getSerialNumber()).orElseThrow();
            assertThat(record.requester()).startsWith("acme:");
            assertThat(record.endpointName()).isEqualTo("web");
            assertThat(trail()).contains("op=acme-challenge").contains("outcome=valid")
                    .contains("op=acme-finalize").contains("outcome=issued").contains("endpoint=acme/web");

            // run, RSA 2048, with an account of its own (an RSA account key: RS256).
            Path rsa = tmp.resolve("lego-rsa");
            ThirdPartyClientsIT.Result rsaIssued = lego(tmp, directory, rsa, httpPort, "--key-type", "rsa2048", "-d",
                    "localhost", "run");
            assertThat(rsaIssued.exit()).as(rsaIssued.output() + trail()).isZero();
            X509Certificate rsaLeaf = leaf(rsa);
            rsaLeaf.verify(intermediate.getPublicKey());
            assertThat(rsaLeaf.getPublicKey().getAlgorithm()).isEqualTo("RSA");
            assertServerCertificate(rsaLeaf);
            assertThat(rsaLeaf.getKeyUsage()[2]).as("keyEncipherment for an RSA server key").isTrue();

            // --csr with the CSR most recipes make: openssl req -subj /CN=localhost, no subjectAltName extension.
            Path key = tmp.resolve("csr-key.pem");
            Path csr = tmp.resolve("cn-only.csr");
            ThirdPartyClientsIT.Result made = ThirdPartyClientsIT.run(tmp, "openssl", "req", "-new", "-newkey",
                    "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-subj",
                    "/CN=localhost", "-out", csr.toString());
            assertThat(made.exit()).as(made.output()).isZero();
            Path fromCsr = tmp.resolve("lego-csr");
            ThirdPartyClientsIT.Result csrIssued = lego(tmp, directory, fromCsr, httpPort, "--csr", csr.toString(),
                    "run");
            assertThat(csrIssued.exit()).as(csrIssued.output() + trail()).isZero();
            X509Certificate cnOnly = leaf(fromCsr);
            assertServerCertificate(cnOnly);

            // renew, forced: a new certificate (lego makes a new key too) for the same name.
            ThirdPartyClientsIT.Result renewed = lego(tmp, directory, ec, httpPort, "-d", "localhost", "renew",
                    "--days", "9999", "--no-random-sleep");
            assertThat(renewed.exit()).as(renewed.output() + trail()).isZero();
            X509Certificate second = leaf(ec);
            assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
            second.verify(intermediate.getPublicKey());
            assertServerCertificate(second);
            assertThat(server.ca().certificates().find(second.getSerialNumber())).isPresent();

            // revoke by the account that ordered it, reason keyCompromise; --keep leaves the files for OCSP below.
            ThirdPartyClientsIT.Result revoked = lego(tmp, directory, ec, httpPort, "-d", "localhost", "revoke",
                    "--reason", "1", "--keep");
            assertThat(revoked.exit()).as(revoked.output() + trail()).isZero();
            CertificateRecord after = server.ca().certificates().find(second.getSerialNumber()).orElseThrow();
            assertThat(after.status()).isEqualTo(CertificateStatus.REVOKED);
            assertThat(after.revocationReason()).contains(RevocationReason.KEY_COMPROMISE);
            assertThat(trail()).contains("op=revoke").contains("outcome=revoked");
            assertThat(server.ca().certificates().find(first.getSerialNumber()).orElseThrow().status())
                    .isEqualTo(CertificateStatus.VALID);

            // The CRL published before the revocation was acknowledged shows it.
            HttpResponse<byte[]> crl = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/crl/intermediate.crl")).build(), HttpResponse.BodyHandlers.ofByteArray());
            X509CRL parsed = Pem.crl(crl.body());
            assertThat(parsed.getRevokedCertificate(second.getSerialNumber())).isNotNull();
            assertThat(parsed.getRevokedCertificate(first.getSerialNumber())).isNull();

            // OCSP says revoked too (openssl as the relying party), for lego's own files.
            ThirdPartyClientsIT.Result ocsp = ThirdPartyClientsIT.run(tmp, "openssl", "ocsp", "-issuer",
                    ec.resolve("certificates/localhost.issuer.crt").toString(), "-cert",
                    ec.resolve("certificates/localhost.crt").toString(), "-url", base + "/ocsp", "-noverify");
            assertThat(ocsp.output()).as(ocsp.output()).contains(": revoked");
        }
    }

    /** The SERVER profile, nothing copied from the CSR: localhost as the one dNSName, serverAuth, not a CA. */
    private static void assertServerCertificate(X509Certificate c) throws Exception {
        assertThat(c.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
                .containsExactly("localhost");
        assertThat(c.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
    }

    private static X509Certificate leaf(Path legoPath) throws Exception {
        return Pem.certificate(Files.readAllBytes(legoPath.resolve("certificates/localhost.crt")));
    }

    private String trail() {
        return "\n--- audit ---\n" + String.join("\n", audit.lines());
    }

    /** lego with the directory, its folder, an account and its http-01 server on loopback; it logs to stderr. */
    private static ThirdPartyClientsIT.Result lego(Path tmp, String directory, Path path, int httpPort, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LEGO.toString(), "--server", directory, "--path", path.toString(),
                "--email", "it@example.org", "--accept-tos", "--http", "--http.port", "127.0.0.1:" + httpPort));
        cmd.addAll(List.of(args));
        return ThirdPartyClientsIT.run(tmp, cmd.toArray(new String[0]));
    }
}
