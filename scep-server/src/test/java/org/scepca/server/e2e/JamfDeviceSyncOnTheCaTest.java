package org.scepca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.issuance.IssuanceRequest;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestPki;
import org.scepca.jamf.JamfClient;
import org.scepca.jamf.JamfDevice;
import org.scepca.jamf.JamfDeviceSync;
import org.scepca.jamf.JamfDeviceSync.DeviceCertificate;
import org.scepca.jamf.JamfDeviceSync.Outcome;
import org.scepca.jamf.testing.FakeJamfPro;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The Jamf device sync wired to a real CA: the fake Jamf Pro over HTTPS, the real client, the CA's revocation service.
 * A device deleted from Jamf loses its certificate after the second read, durably, on the CRL, with one audit line
 * naming the device. (Which certificates name which device is the store's to say; here a map stands in for it.)
 */
class JamfDeviceSyncOnTheCaTest {
    @TempDir
    Path dir;
    private Running running;
    private FakeJamfPro jamf;
    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();
    /** Certificate serial → the Jamf serial number and UDID recorded with it. */
    private final Map<BigInteger, Set<String>> jamfDevices = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        Providers.register();
        TestPki.create(dir).close();
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults(),
                ServerConfig.defaults("127.0.0.1", 0));
        jamf = FakeJamfPro.start("scepca-sync", "client-secret");
        audit.start();
        Logger l = (Logger) LoggerFactory.getLogger(AuditLine.LOGGER);
        l.setLevel(Level.INFO);
        l.addAppender(audit);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(AuditLine.LOGGER)).detachAppender(audit);
        jamf.close();
        running.close();
    }

    private BigInteger issueFor(String jamfSerial, String udid) {
        var csr = Csrs.csr().subject("CN=" + jamfSerial + ",O=Test").build();
        BigInteger serial = running.ca().issuance().issue(new IssuanceRequest(csr, "test", CertificateProfile.CLIENT,
                IssuanceEffects.none())).record().serial();
        jamfDevices.put(serial, Set.of(jamfSerial, udid));
        return serial;
    }

    private JamfDeviceSync sync() {
        CertificateAuthority ca = running.ca();
        JamfClient client = new JamfClient(jamf.url(), "scepca-sync", "client-secret",
                Optional.of(jamf.clientTls()), Clock.systemUTC(), 100);
        JamfDeviceSync.ActiveCertificates active = () -> jamfDevices.entrySet().stream()
                .filter(e -> ca.certificates().find(e.getKey()).orElseThrow().status() == CertificateStatus.VALID)
                .map(e -> new DeviceCertificate(e.getKey(), e.getValue())).toList();
        return new JamfDeviceSync(client, active,
                (serial, reason, actor, device) -> ca.revocation().revoke(serial, reason, actor, device).changed(), 50);
    }

    private static JamfDevice mac(String id, String serial, String udid) {
        return new JamfDevice(JamfDevice.Kind.COMPUTER, id, Optional.of(serial), Optional.of(udid));
    }

    @Test
    void aMacDeletedFromJamf_isRevokedOnTheSecondRead_onTheCrl_withOneAuditLineNamingIt() {
        BigInteger kept = issueFor("C02KEEP0001", "UDID-KEEP");
        BigInteger gone = issueFor("C02GONE0002", "UDID-GONE");
        jamf.computers(List.of(mac("1", "C02KEEP0001", "UDID-KEEP"), mac("2", "C02GONE0002", "UDID-GONE")));
        JamfDeviceSync sync = sync();
        assertThat(sync.runOnce().outcome()).isEqualTo(Outcome.SYNCED);

        jamf.computers(List.of(mac("1", "C02KEEP0001", "UDID-KEEP")));
        assertThat(sync.runOnce().revoked()).isEmpty();
        assertThat(running.ca().certificates().find(gone).orElseThrow().status()).isEqualTo(CertificateStatus.VALID);

        assertThat(sync.runOnce().revoked()).containsExactly(gone);
        var record = running.ca().certificates().find(gone).orElseThrow();
        assertThat(record.status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(record.revocationReason()).contains(RevocationReason.CESSATION_OF_OPERATION);
        assertThat(running.ca().crls().current().crl().getRevokedCertificate(gone)).isNotNull();
        assertThat(running.ca().certificates().find(kept).orElseThrow().status()).isEqualTo(CertificateStatus.VALID);

        List<Map<String, String>> revokes = audit.list.stream().map(e -> AuditLine.parse(e.getFormattedMessage()))
                .filter(l -> "revoke".equals(l.get("op"))).toList();
        assertThat(revokes).singleElement().satisfies(l -> assertThat(l)
                .containsEntry("serial", gone.toString(16)).containsEntry("subject", record.subjectDn())
                .containsEntry("reason", "cessationOfOperation").containsEntry("actor", "jamf-sync")
                .containsEntry("endpoint", "internal").containsEntry("outcome", "revoked")
                .containsEntry("device", "C02GONE0002,UDID-GONE"));

        assertThat(sync.runOnce().revoked()).isEmpty(); // revoked certificates are no longer candidates
    }
}
