package org.scepca.ca.store;

/**
 * The VARCHAR sizes of the columns that hold requester-chosen text (db/migration V1). The request limits of the
 * issuance policy are bounded strictly inside these, so that no request within policy can fail in the store;
 * {@code ColumnSizesTest} reads the migration and fails if the two drift apart.
 */
public final class ColumnSizes {
    /** certificates.subject_dn and requests.subject_dn. */
    public static final int SUBJECT_DN = 1024;
    /** certificates.sans: newline-separated "type:value". */
    public static final int SANS = 8192;
    /** certificates.search_text: lower-case subject, a newline, then the sans. */
    public static final int SEARCH_TEXT = 9300;

    private ColumnSizes() {
    }
}
