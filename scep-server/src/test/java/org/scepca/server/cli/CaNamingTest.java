package org.scepca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bouncycastle.asn1.ASN1PrintableString;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;

/** An operator's explicit CA subject meets the same X.520 rules as any name the CA writes (RFC 5280 Appendix A). */
class CaNamingTest {
    private final CaNaming naming = new CaNaming();

    @Test
    void anExplicitSubjectWithinTheBoundsIsKept() {
        var subject = naming.subject("C=DE,O=Acme,CN=Acme Root CA", "Root CA");
        assertThat(subject.getRDNs(BCStyle.C)[0].getFirst().getValue()).isInstanceOf(ASN1PrintableString.class);
        assertThat(subject.getRDNs(BCStyle.CN)[0].getFirst().getValue().toString()).isEqualTo("Acme Root CA");
    }

    @Test
    void anExplicitSubjectBeyondAnUpperBoundIsRefusedNamingIt() {
        assertThatThrownBy(() -> naming.subject("O=Acme,CN=" + "r".repeat(65), "Root CA"))
                .isInstanceOf(Errors.UserException.class).hasMessageContaining("Root CA subject")
                .hasMessageContaining("64");
        assertThatThrownBy(() -> naming.subject("C=Germany,CN=Acme Issuing CA", "Issuing CA"))
                .isInstanceOf(Errors.UserException.class).hasMessageContaining("Issuing CA subject");
    }
}
