package org.scepca.intune;

import java.util.Objects;
import java.util.UUID;

/**
 * Intune's answer to a ScepActions call ({@code validateRequest}, {@code successNotification},
 * {@code failureNotification}): {@code {"code": "...", "errorDescription": "..."}}. Only {@link #SUCCESS} lets an
 * enrollment go on. Known refusal codes (Microsoft's {@code IntuneScepServiceException.ErrorCode}):
 * CertificateRequestDecodingFailed, ChallengePasswordMissing, ChallengeDeserializationError, ChallengeDecryptionError,
 * ChallengeDecodingError, ChallengeInvalidTimestamp, ChallengeExpired, SubjectNameMissing, SubjectNameMismatch,
 * SubjectAltNameMissing, SubjectAltNameMismatch, KeyUsageMismatch, KeyLengthMismatch, EnhancedKeyUsageMissing,
 * EnhancedKeyUsageMismatch, AadKeyIdentifierListMissing, RegisteredKeyMismatch, SigningCertThumbprintMismatch,
 * ScepProfileNoLongerTargetedToTheClient, SignatureValidationFailed, BadCertificateRequestIdInChallenge,
 * BadDeviceIdInChallenge, BadUserIdInChallenge. The code is kept as sent, so a new code is a refusal too.
 *
 * @param code            Intune's code, as sent ("Success", "ChallengeExpired", ...)
 * @param description     Intune's errorDescription ("" when none)
 * @param clientRequestId the {@code client-request-id} of the call that got this answer, for Microsoft support
 */
public record ScepActionResult(String code, String description, UUID clientRequestId) {
    public static final String SUCCESS = "Success";

    public ScepActionResult {
        Objects.requireNonNull(code, "code is null");
        Objects.requireNonNull(description, "description is null");
        Objects.requireNonNull(clientRequestId, "clientRequestId is null");
    }

    /** True only for Intune's "Success": issue (after validateRequest) or reply (after successNotification). */
    public boolean success() {
        return SUCCESS.equals(code);
    }
}
