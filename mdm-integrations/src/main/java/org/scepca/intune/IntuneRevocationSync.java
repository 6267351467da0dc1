package org.scepca.intune;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import org.scepca.ca.audit.AuditLine;
import org.scepca.intune.Revoker.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the revocations Intune asks for (a device retired or wiped): download from the PKI connector, revoke
 * each through the {@link Revoker}, upload the results, one audit line per request ({@code op=intune-revoke}).
 * A {@link Runnable} for the server's scheduler, every {@code intune.revocation-sync-interval}.
 *
 * <p>Idempotent: Intune keeps a request until it gets a result, so a run that dies before its upload is simply
 * repeated by the next one, which finds the certificates already revoked and reports success. Results:
 * <ul>
 * <li>revoked or already revoked: succeeded (Microsoft's 4005 ConflictError describes "already revoked", but what
 * Intune wants, a revoked certificate, holds; reporting an error would alarm the administrator for nothing);
 * <li>unknown serial: 4004 CertificateNotFoundError; another issuer: 4004 too (we cannot find it among ours);
 * <li>serial that is not hex: 4002 ParameterDataInvalidError;
 * <li>temporary failure of the store: 4100 RetryableServiceException (Intune asks again).
 * </ul>
 */
public final class IntuneRevocationSync implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IntuneRevocationSync.class);
    /** At most this many downloads per run, so one run is bounded even if Intune keeps sending. */
    static final int MAX_BATCHES_PER_RUN = 10;
    private static final Pattern HEX_SERIAL = Pattern.compile("[0-9a-fA-F]{1,64}");
    private static final String ACTOR = "intune:revocation-sync";

    private final IntuneClient client;
    private final Revoker revoker;
    private final String issuerName;
    private final int batchSize;

    /**
     * @param issuerName the issuingCertificateAuthority this CA sends in successNotification: downloads are filtered
     *                   by it, so that requests for another CA of the tenant are left to that CA
     * @param batchSize  requests per download, 1..500
     */
    public IntuneRevocationSync(IntuneClient client, Revoker revoker, String issuerName, int batchSize) {
        this.client = Objects.requireNonNull(client, "client is null");
        this.revoker = Objects.requireNonNull(revoker, "revoker is null");
        this.issuerName = Objects.requireNonNull(issuerName, "issuerName is null");
        if (issuerName.isBlank()) {
            throw new IllegalArgumentException("issuerName is blank");
        }
        if (batchSize < 1 || batchSize > IntuneClient.MAX_REVOCATION_REQUESTS) {
            throw new IllegalArgumentException("batchSize must be between 1 and " + IntuneClient.MAX_REVOCATION_REQUESTS);
        }
        this.batchSize = batchSize;
    }

    /** What one run did. {@code requests} counts each request once, even if Intune sent it twice in the run. */
    public record Summary(int requests, int revoked, int alreadyRevoked, int refused, int retryable) {
    }

    /** For a scheduler: never throws (an exception would cancel a ScheduledExecutorService's repetition). */
    @Override
    public void run() {
        try {
            Summary s = runOnce();
            if (s.requests() > 0) {
                LOG.info("Intune revocation sync: {}", s);
            }
        } catch (IntuneUnavailableException e) {
            LOG.warn("Intune revocation sync: Intune unavailable ({}), next run will retry", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Intune revocation sync failed", e);
        }
    }

    /**
     * Downloads and answers until Intune has nothing more for us (or {@value #MAX_BATCHES_PER_RUN} batches).
     *
     * @throws IntuneUnavailableException if a download or upload fails; what was revoked stays revoked, and the
     *                                    unreported requests come back next time
     */
    public Summary runOnce() {
        Set<String> seen = new HashSet<>();
        int revoked = 0;
        int already = 0;
        int refused = 0;
        int retryable = 0;
        for (int batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
            List<RevocationRequest> requests = client.downloadRevocationRequests(batchSize, issuerName);
            List<RevocationRequest> fresh = requests.stream().filter(r -> seen.add(r.requestContext())).toList();
            if (fresh.isEmpty()) {
                break; // nothing, or only what we answered retryable in this run: leave it to the next run
            }
            List<RevocationResult> results = new ArrayList<>();
            List<AuditLine> lines = new ArrayList<>();
            for (RevocationRequest r : fresh) {
                Handled h = handle(r);
                results.add(h.result());
                lines.add(h.line());
                switch (h.outcome()) {
                    case "revoked" -> revoked++;
                    case "already-revoked" -> already++;
                    case "failed-retryable" -> retryable++;
                    default -> refused++;
                }
            }
            boolean reported = false;
            try {
                client.uploadRevocationResults(results);
                reported = true;
            } finally {
                for (AuditLine line : lines) {
                    line.token("reported", reported ? "yes" : "no").log();
                }
            }
            if (requests.size() < batchSize) {
                break;
            }
        }
        return new Summary(seen.size(), revoked, already, refused, retryable);
    }

    private record Handled(RevocationResult result, String outcome, AuditLine line) {
    }

    private Handled handle(RevocationRequest r) {
        String ctx = r.requestContext();
        String raw = r.serialNumber().strip().replace(":", "").replace(" ", "");
        if (!HEX_SERIAL.matcher(raw).matches() || new BigInteger(raw, 16).signum() <= 0) {
            return handled(r, "-", "invalid-serial",
                    RevocationResult.failed(ctx, CaRequestErrorCode.PARAMETER_DATA_INVALID_ERROR,
                            "serial number is not a positive hex number"));
        }
        BigInteger serial = new BigInteger(raw, 16);
        String hex = serial.toString(16);
        Outcome outcome;
        try {
            outcome = Objects.requireNonNull(revoker.revoke(serial, r.issuerName()), "revoker returned null");
        } catch (RuntimeException e) {
            LOG.warn("Intune revocation of serial {} failed; Intune will ask again", hex, e);
            outcome = Outcome.FAILED_RETRYABLE;
        }
        return switch (outcome) {
            case REVOKED -> handled(r, hex, "revoked", RevocationResult.succeeded(ctx));
            case ALREADY_REVOKED -> handled(r, hex, "already-revoked", RevocationResult.succeeded(ctx));
            case NOT_FOUND -> handled(r, hex, "not-found", RevocationResult.failed(ctx,
                    CaRequestErrorCode.CERTIFICATE_NOT_FOUND_ERROR, "no certificate with this serial number"));
            case NOT_OURS -> handled(r, hex, "not-ours", RevocationResult.failed(ctx,
                    CaRequestErrorCode.CERTIFICATE_NOT_FOUND_ERROR, "certificate not issued by this CA"));
            case FAILED_RETRYABLE -> handled(r, hex, "failed-retryable", RevocationResult.failed(ctx,
                    CaRequestErrorCode.RETRYABLE_SERVICE_EXCEPTION, "temporary failure, please retry"));
        };
    }

    private static Handled handled(RevocationRequest r, String serialHex, String outcome, RevocationResult result) {
        AuditLine line = AuditLine.op("intune-revoke").token("txid", "-").text("subject", null)
                .token("serial", serialHex).token("outcome", outcome)
                .token("code", result.errorCode().value()).text("issuer", r.issuerName())
                .token("request-context", r.requestContext()).token("endpoint", "intune").token("device", "-")
                .token("actor", ACTOR);
        return new Handled(result, outcome, line);
    }
}
