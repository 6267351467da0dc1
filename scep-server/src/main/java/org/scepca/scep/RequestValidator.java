package org.scepca.scep;

import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * An outside authority that decides whether a request may be issued and hears the outcome: Microsoft Intune's SCEP
 * validation API for an endpoint with {@code auth = intune}. The SCEP core knows this contract only, not HTTP; the
 * server's assembly adapts the Intune client to it.
 */
public interface RequestValidator {

    /**
     * Asks whether the request may be issued.
     *
     * @param transactionId the PKCSReq's SCEP transactionID, unchanged
     * @param csrDer        the CSR exactly as received
     * @throws UnavailableException when the authority cannot be asked (timeout, 5xx, circuit open): the request is
     *                              refused, never issued unvalidated
     */
    Verdict validate(String transactionId, byte[] csrDer) throws UnavailableException;

    /** Reports an issued certificate, before the device gets its CertRep. @return false if the report failed */
    boolean reportSuccess(String transactionId, byte[] csrDer, X509Certificate issued);

    /**
     * Reports a refusal, after the CertRep went out (never delays the reply).
     *
     * @param hResult a Windows HRESULT describing the refusal (Intune's contract)
     */
    void reportFailure(String transactionId, byte[] csrDer, long hResult, String description);

    /** The authority's answer: {@code code} is its result code ("Success", "ChallengeExpired", ...). */
    record Verdict(boolean accepted, String code, String description) {
        public Verdict {
            Objects.requireNonNull(code, "code is null");
            Objects.requireNonNull(description, "description is null");
        }
    }

    /** The authority could not be asked. */
    final class UnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** HRESULTs used in failure reports (winerror.h). */
    final class HResult {
        /** CERTSRV_E_BAD_REQUESTSUBJECT: names the policy does not allow. */
        public static final long BAD_REQUEST_SUBJECT = 0x80094001L;
        /** NTE_BAD_ALGID: key or signature algorithm refused. */
        public static final long BAD_ALGORITHM = 0x80090008L;
        /** CERTSRV_E_REQUEST_DENIED-like generic refusal: E_FAIL. */
        public static final long FAIL = 0x80004005L;

        private HResult() {
        }
    }
}
