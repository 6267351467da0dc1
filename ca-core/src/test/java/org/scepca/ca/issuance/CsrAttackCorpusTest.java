package org.scepca.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.policy.CertificateProfile;
import org.scepca.ca.policy.PolicyViolationException;
import org.scepca.ca.store.IssuanceEffects;
import org.scepca.ca.testing.CsrCorpus;
import org.scepca.ca.testing.CsrCorpus.Case;
import org.scepca.ca.testing.CsrCorpus.Expect;
import org.scepca.ca.testing.TestPki;

/**
 * Every request of the attack corpus through the real issuance engine and H2 store of a test CA: the ok/ cases are
 * issued and stored with only the policy's extensions, the fail/ cases are refused with the right kind and a reason,
 * and leave nothing in the store (no case reaches a column limit: the policy's limits come first).
 */
class CsrAttackCorpusTest {
    @TempDir
    static Path dir;
    static CertificateAuthority ca;

    @BeforeAll
    static void open() {
        ca = TestPki.create(dir);
    }

    @AfterAll
    static void close() {
        ca.close();
    }

    static Stream<Case> corpus() {
        return CsrCorpus.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void engineAnswersAsThePolicyRequires(Case c) throws Exception {
        long before = ca.certificates().count();
        IssuanceRequest request = new IssuanceRequest(c.csr(), "test", CertificateProfile.CLIENT, IssuanceEffects.none());
        if (c.expect() == Expect.OK) {
            X509Certificate cert = ca.issuance().issue(request).certificate();
            assertThat(ca.certificates().count()).isEqualTo(before + 1);
            // Extensions come from the policy, never the request: clientAuth only, no CA powers.
            assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
            assertThat(cert.getBasicConstraints()).isEqualTo(-1);
            assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isFalse();
            // What a certificate linter (zlint's RFC 5280 and community lints) would say about it: nothing.
            assertThat(org.scepca.ca.testing.CertificateLint.problems(cert)).as("lint").isEmpty();
            assertThat(cert.getExtensionValue("1.3.6.1.4.1.99999.1")).isNull();
            return;
        }
        PolicyViolationException e = catchThrowableOfType(() -> ca.issuance().issue(request), PolicyViolationException.class);
        assertThat(e).as("refused by policy, not by the store").isNotNull();
        assertThat(e.kind()).isEqualTo(c.expect() == Expect.BAD_ALG
                ? PolicyViolationException.Kind.BAD_ALGORITHM : PolicyViolationException.Kind.BAD_REQUEST);
        assertThat(e.getMessage()).contains(c.reason());
        assertThat(UnsafeMessage.isSafe(e.getMessage())).as("the reason is safe to log and show").isTrue();
        assertThat(ca.certificates().count()).isEqualTo(before);
    }

    /** A refusal message never echoes a control or format character. */
    static final class UnsafeMessage {
        static boolean isSafe(String s) {
            return org.scepca.ca.policy.UnsafeText.firstUnsafe(s).isEmpty();
        }
    }

    @org.junit.jupiter.api.Test
    void corpusNamesAreUnique() {
        List<String> names = CsrCorpus.all().stream().map(Case::name).toList();
        assertThat(names).doesNotHaveDuplicates().allMatch(n -> n.startsWith("ok/") || n.startsWith("fail/"));
    }
}
