package org.scepca.server.admin;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import org.scepca.ca.store.CertificateQuery;
import org.scepca.ca.store.CertificateRecord;
import org.scepca.ca.store.Page;

/**
 * A certificate search as CSV ({@code GET /certificates} with {@code Accept: text/csv} or {@code format=csv}): every
 * page of the search, streamed page by page (the export of a large fleet is never held in memory), RFC 4180 (CRLF
 * line ends, a field with a comma, quote, CR or LF in double quotes with quotes doubled, a header row).
 *
 * <p>Spreadsheets run a cell that starts with {@code = + - @} (or a tab or CR before one) as a formula (OWASP "CSV
 * injection"); a certificate subject or a device note is requester-controlled, so such a cell gets a leading
 * apostrophe, which spreadsheets show as text and do not evaluate.
 */
final class CsvExport {
    static final String CONTENT_TYPE = "text/csv; charset=utf-8; header=present";
    static final List<String> HEADER = List.of("serial", "subject", "subjectAltNames", "status", "notBefore", "notAfter",
            "issuedAt", "revokedAt", "revocationReason", "profile", "endpoint", "deviceSerial", "deviceUdid",
            "intuneDeviceId", "note", "requester", "sha256");

    private CsvExport() {
    }

    /** Whether the caller asked for CSV: {@code format=csv}, or an Accept header naming text/csv. */
    static boolean wanted(Exchange ex) {
        if (ex.query("format").map(f -> f.equalsIgnoreCase("csv")).orElse(false)) {
            return true;
        }
        String accept = ex.request().getHeader("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv");
    }

    /**
     * Streams every page of {@code query} from its cursor on: the query's {@code limit} is only the page size of the
     * reads when the caller gave one ({@link CertificateQuery#MAX_LIMIT} otherwise).
     *
     * @param pages reads one page (and turns a bad cursor into a problem, before anything is written)
     */
    static void certificates(Exchange ex, Function<CertificateQuery, Page<CertificateRecord>> pages,
            CertificateQuery query, Instant now) throws IOException {
        int pageSize = ex.query("limit").isPresent() ? query.limit() : CertificateQuery.MAX_LIMIT;
        CertificateQuery q = new CertificateQuery(query.state(), query.text(), query.expiringBefore(),
                query.issuedAfter(), query.issuedBefore(), query.cursor(), pageSize, query.device(), query.endpoint());
        Page<CertificateRecord> page = pages.apply(q);
        var resp = ex.response();
        resp.setStatus(200);
        resp.setContentType(CONTENT_TYPE);
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Content-Disposition", "attachment; filename=\"certificates.csv\"");
        Writer out = new java.io.BufferedWriter(new java.io.OutputStreamWriter(resp.getOutputStream(),
                StandardCharsets.UTF_8), 64 * 1024);
        row(out, HEADER);
        while (true) {
            for (CertificateRecord r : page.items()) {
                row(out, fields(r, now));
            }
            out.flush();
            Optional<String> next = page.nextCursor();
            if (next.isEmpty()) {
                break;
            }
            page = pages.apply(q.withCursor(next.get()));
        }
        out.flush();
    }

    private static List<String> fields(CertificateRecord r, Instant now) {
        CertificateView v = CertificateView.of(r, now);
        CertificateView.IssuedForView f = v.issuedFor();
        return java.util.Arrays.asList(v.serial(), v.subject(), String.join("; ", v.subjectAltNames()), v.status(),
                v.notBefore(), v.notAfter(), v.issuedAt(), v.revokedAt(), v.revocationReason(), v.profile(),
                f.endpoint(), f.deviceSerial(), f.deviceUdid(), f.intuneDeviceId(), f.note(), v.requester(), v.sha256());
    }

    static void row(Writer out, List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(cell(cells.get(i)));
        }
        out.write("\r\n");
    }

    /** One field: neutralised against formula injection, then quoted when RFC 4180 §2 requires it. */
    static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String v = value;
        char first = v.charAt(0);
        if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
