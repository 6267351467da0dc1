package org.scepca.server.admin;

import java.util.Locale;

import org.scepca.ca.store.RequestRecord;

/** A SCEP transaction (pending, issued or rejected) as the admin API shows it; the CSR itself stays inside. */
public record RequestView(String transactionId, String subject, String status, String requester, String serial,
        String reason, String createdAt, String updatedAt) {
    public static RequestView of(RequestRecord r) {
        return new RequestView(r.transactionId(), r.subjectDn(), r.status().name().toLowerCase(Locale.ROOT),
                r.requester(), r.serial().map(s -> s.toString(16)).orElse(null), r.reason().orElse(null),
                r.createdAt().toString(), r.updatedAt().toString());
    }
}
