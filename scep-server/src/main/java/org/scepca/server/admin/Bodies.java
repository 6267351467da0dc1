package org.scepca.server.admin;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** Request bodies of the admin API. Unknown fields are refused (FAIL_ON_UNKNOWN_PROPERTIES). */
final class Bodies {
    private Bodies() {
    }

    /**
     * {@code POST /challenges}.
     *
     * @param ttl  lifetime: seconds as a number, or a string like "60m", "12h", "7d", "PT1H"; default 60 minutes
     * @param note who or what it is for (shown in listings), at most 256 characters
     */
    record CreateChallengeRequest(JsonNode ttl, String note, String subject, List<String> sans, String endpoint) {
    }

    /** {@code POST /certificates/{serial}/revoke}; reason defaults to unspecified. */
    record RevokeRequest(String reason) {
    }

    /** {@code POST /requests/{transactionId}/reject}. */
    record RejectRequest(String reason) {
    }

    /** {@code POST /requests/{transactionId}/approve}: no fields, but an empty object is accepted. */
    record ApproveRequest() {
    }

    /**
     * {@code POST /profiles/{preset}}: the options of {@code scepca profile}, in camel case; all optional. Absent
     * values take the CLI's defaults; {@code scepUrl} defaults to public-base-url (else this host on the SCEP port).
     */
    /**
     * {@code POST /profiles/batch}: the device list in the CLI's CSV format (header row; name, serial, udid, user
     * columns), as one JSON string so that the route keeps the JSON-only rule of every change (CSRF).
     */
    record ProfileBatchRequest(String csv, String scepUrl, String identifierPrefix, String organization,
            String displayName, Integer keySize, JsonNode challengeTtl, Boolean includeIntermediate, Boolean sign) {
    }

    record CreateProfileRequest(String scepUrl, String subject, String sanDns, String sanUri, String sanEmail,
            Integer keySize, Integer keyUsage, Integer retries, Integer retryDelaySeconds, String displayName,
            String organization, String challenge, JsonNode challengeTtl, Integer renewalDays,
            Boolean includeIntermediate, Boolean sign, String identifierPrefix, String protocol, String directoryUrl,
            String clientIdentifier, String acmeKeyType, Integer acmeKeySize, Boolean hardwareBound, Boolean attest,
            Integer usageFlags, java.util.List<String> extendedKeyUsage) {
    }
}
