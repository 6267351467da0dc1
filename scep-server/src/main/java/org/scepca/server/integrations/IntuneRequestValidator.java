package org.scepca.server.integrations;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.scepca.intune.IntuneClient;
import org.scepca.intune.IntuneUnavailableException;
import org.scepca.intune.ScepActionResult;
import org.scepca.scep.RequestValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Intune's SCEP validation API behind the SCEP core's contract, for one Intune endpoint. Validation and the success
 * notification run on the enrollment's thread (the contract orders them: validate, issue, notify, reply); failure
 * notifications go to a small background queue after the reply, so a slow Intune never delays a refusal.
 */
public final class IntuneRequestValidator implements RequestValidator, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IntuneRequestValidator.class);

    private final IntuneClient client;
    private final String callerInfo;
    private final String issuingCaName;
    private final String caConfiguration;
    private final String certificateAuthority;
    private final ThreadPoolExecutor failureReports;
    private final AtomicLong droppedReports = new AtomicLong();
    /**
     * A bulkhead: at most this many enrollment threads wait on Intune at once. Without it, a slow Intune (each call
     * may take its timeout, times the retries) would hold every PKIOperation slot of the server and stall the other
     * endpoints; beyond it an Intune enrollment is refused at once, and a success report is queued for later.
     */
    private final java.util.concurrent.Semaphore inFlight;

    /**
     * @param callerInfo           who calls, sent with every request and notification (the same string each time)
     * @param issuingCaName        the issuing CA's name as Intune records it; its revocation requests name it back
     * @param caConfiguration      which CA configuration issued (here: the endpoint)
     * @param certificateAuthority the CA's display name
     */
    public IntuneRequestValidator(IntuneClient client, String callerInfo, String issuingCaName, String caConfiguration,
            String certificateAuthority) {
        this(client, callerInfo, issuingCaName, caConfiguration, certificateAuthority, 8);
    }

    /** @param maxInFlight enrollment threads that may wait on Intune at once (the rest are refused at once) */
    public IntuneRequestValidator(IntuneClient client, String callerInfo, String issuingCaName, String caConfiguration,
            String certificateAuthority, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1");
        }
        this.inFlight = new java.util.concurrent.Semaphore(maxInFlight);
        this.client = Objects.requireNonNull(client, "client is null");
        this.callerInfo = Objects.requireNonNull(callerInfo, "callerInfo is null");
        this.issuingCaName = Objects.requireNonNull(issuingCaName, "issuingCaName is null");
        this.caConfiguration = Objects.requireNonNull(caConfiguration, "caConfiguration is null");
        this.certificateAuthority = Objects.requireNonNull(certificateAuthority, "certificateAuthority is null");
        this.failureReports = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1000), r -> {
            Thread t = new Thread(r, "scepca-intune-failure-reports");
            t.setDaemon(true);
            return t;
        }, (r, pool) -> {
            // Intune is slower than refusals arrive: drop the report, never the refusal.
            droppedReports.incrementAndGet();
            LOG.warn("Intune failure notification dropped: the report queue is full");
        });
    }

    @Override
    public Verdict validate(String transactionId, byte[] csrDer) throws UnavailableException {
        if (!inFlight.tryAcquire()) {
            throw new UnavailableException("too many enrollments already waiting on Intune", null);
        }
        try {
            ScepActionResult r = client.validate(transactionId, csrDer, callerInfo);
            return new Verdict(r.success(), r.code(), r.description() == null ? "" : r.description());
        } catch (IntuneUnavailableException e) {
            throw new UnavailableException(e.getMessage(), e);
        } finally {
            inFlight.release();
        }
    }

    @Override
    public boolean reportSuccess(String transactionId, byte[] csrDer, X509Certificate issued) {
        if (!inFlight.tryAcquire()) {
            return false; // queued with the certificate, sent by the retry job
        }
        try {
            ScepActionResult r = client.notifySuccess(transactionId, csrDer, issued, issuingCaName, caConfiguration,
                    certificateAuthority, callerInfo);
            if (!r.success()) {
                LOG.warn("Intune did not accept the success notification of {}: {}", transactionId, r.code());
            }
            return r.success();
        } catch (IntuneUnavailableException e) {
            LOG.warn("Intune success notification of {} failed: {}", transactionId, e.getMessage());
            return false;
        } finally {
            inFlight.release();
        }
    }

    @Override
    public void reportFailure(String transactionId, byte[] csrDer, long hResult, String description) {
        failureReports.execute(() -> {
            try {
                ScepActionResult r = client.notifyFailure(transactionId, csrDer, hResult, description, callerInfo);
                if (!r.success()) {
                    LOG.warn("Intune did not accept the failure notification of {}: {}", transactionId, r.code());
                }
            } catch (RuntimeException e) {
                LOG.warn("Intune failure notification of {} failed: {}", transactionId, e.getMessage());
            }
        });
    }

    /** Failure notifications dropped because the queue was full. */
    public long droppedReports() {
        return droppedReports.get();
    }

    @Override
    public void close() {
        failureReports.shutdown();
        try {
            failureReports.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
