package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
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
 * RFC 8555 end to end with a client nobody here wrote: Debian's certbot against {@code /acme/web/directory} over http
 * (as in boulder's development set-up), http-01 through certbot's standalone server on loopback (the endpoint allows
 * private targets for this), issuance, {@code renew --force-renewal}, {@code revoke}; the revocation is then checked
 * in the store, on the published CRL and by OCSP ({@code openssl ocsp}). Skipped without certbot, unless
 * {@code SCEPCA_REQUIRE_CERTBOT=1} (CI), where a missing certbot fails.
 */
class AcmeCertbotIT {
    private static final Path CERTBOT = Path.of("/usr/bin/certbot");

    private AuditLines audit;

    @BeforeEach
    void listen() {
        audit = AuditLines.attach();
    }

    @AfterEach
    void stopListening() {
        audit.detach();
    }

    static void requireCertbot() {
        AcmeHttp01Server.requireClient(CERTBOT, "SCEPCA_REQUIRE_CERTBOT");
    }


    @Test
    void certbotIssuesRenewsAndRevokes(@TempDir Path tmp) throws Exception {
        requireCertbot();
        try (AcmeHttp01Server acme = AcmeHttp01Server.start(tmp)) {
            Running server = acme.server();
            String base = acme.base();
            int httpPort = acme.httpPort();
            String directory = acme.directory();
            List<String> common = List.of("--config-dir", tmp.resolve("cb-config").toString(), "--work-dir",
                    tmp.resolve("cb-work").toString(), "--logs-dir", tmp.resolve("cb-logs").toString(),
                    "--non-interactive");

            ThirdPartyClientsIT.Result issued = certbot(tmp, common, "--server", directory, "certonly", "--standalone",
                    "--http-01-port", Integer.toString(httpPort), "--http-01-address", "127.0.0.1", "-d", "localhost",
                    "--register-unsafely-without-email", "--agree-tos");
            assertThat(issued.exit()).as(issued.output() + trail()).isZero();
            Path live = tmp.resolve("cb-config/live/localhost");
            X509Certificate first = Pem.certificate(Files.readAllBytes(live.resolve("cert.pem")));
            first.verify(server.ca().material().intermediateCertificate().getPublicKey());
            assertThat(first.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
                    .containsExactly("localhost");
            // Extensions by policy (the SERVER profile), nothing copied from the CSR.
            assertThat(first.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
            assertThat(first.getBasicConstraints()).isEqualTo(-1);
            assertThat(Files.readString(live.resolve("chain.pem")))
                    .isEqualTo(Pem.encode(server.ca().material().intermediateCertificate()));
            CertificateRecord record = server.ca().certificates().find(first.getSerialNumber()).orElseThrow();
            assertThat(record.requester()).startsWith("acme:");
            assertThat(record.endpointName()).isEqualTo("web");
            assertThat(trail()).contains("op=acme-challenge").contains("outcome=valid")
                    .contains("op=acme-finalize").contains("outcome=issued").contains("endpoint=acme/web");

            ThirdPartyClientsIT.Result renewed = certbot(tmp, common, "renew", "--force-renewal",
                    "--no-random-sleep-on-renew"); // non-interactive renewals otherwise wait up to 8 minutes
            assertThat(renewed.exit()).as(renewed.output() + trail()).isZero();
            X509Certificate second = Pem.certificate(Files.readAllBytes(live.resolve("cert.pem")));
            assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
            assertThat(server.ca().certificates().find(second.getSerialNumber())).isPresent();

            ThirdPartyClientsIT.Result revoked = certbot(tmp, common, "--server", directory, "revoke", "--cert-path",
                    live.resolve("cert.pem").toString(), "--reason", "keycompromise", "--no-delete-after-revoke");
            assertThat(revoked.exit()).as(revoked.output() + trail()).isZero();
            CertificateRecord after = server.ca().certificates().find(second.getSerialNumber()).orElseThrow();
            assertThat(after.status()).isEqualTo(CertificateStatus.REVOKED);
            assertThat(after.revocationReason()).contains(RevocationReason.KEY_COMPROMISE);
            assertThat(trail()).contains("op=revoke").contains("outcome=revoked");

            // The CRL published before the revocation was acknowledged shows it.
            HttpResponse<byte[]> crl = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/crl/intermediate.crl")).build(), HttpResponse.BodyHandlers.ofByteArray());
            X509CRL parsed = Pem.crl(crl.body());
            assertThat(parsed.getRevokedCertificate(second.getSerialNumber())).isNotNull();
            assertThat(parsed.getRevokedCertificate(first.getSerialNumber())).isNull();

            // OCSP says revoked too (openssl as the relying party).
            Path issuer = tmp.resolve("issuer.pem");
            Files.writeString(issuer, Pem.encode(server.ca().material().intermediateCertificate()));
            ThirdPartyClientsIT.Result ocsp = ThirdPartyClientsIT.run(tmp, "openssl", "ocsp", "-issuer",
                    issuer.toString(), "-cert", live.resolve("cert.pem").toString(), "-url", base + "/ocsp",
                    "-noverify");
            assertThat(ocsp.output()).as(ocsp.output()).contains(": revoked");
            assertThat(serialOf(second)).isEqualTo(after.serial());
        }
    }

    private static BigInteger serialOf(X509Certificate c) {
        return c.getSerialNumber();
    }

    private String trail() {
        return "\n--- audit ---\n" + String.join("\n", audit.lines());
    }

    private static ThirdPartyClientsIT.Result certbot(Path tmp, List<String> common, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(CERTBOT.toString());
        cmd.addAll(List.of(args));
        cmd.addAll(common);
        ThirdPartyClientsIT.Result r = ThirdPartyClientsIT.run(tmp, cmd.toArray(new String[0]));
        if (r.exit() != 0) {
            Path log = tmp.resolve("cb-logs/letsencrypt.log");
            if (Files.exists(log)) {
                String text = Files.readString(log);
                return new ThirdPartyClientsIT.Result(r.exit(), r.output() + "\n--- certbot log (tail) ---\n"
                        + text.substring(Math.max(0, text.length() - 6000)));
            }
        }
        return r;
    }
}
