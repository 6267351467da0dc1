package org.scepca.ca.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditLineTest {
    @Test
    void safeTokensAreBareAndTextIsQuoted() {
        String line = AuditLine.op("PKCSReq").token("txid", "ab12").text("subject", "CN=a,O=b").token("serial", null)
                .token("outcome", "failure:bad_request").token("ms", 3).toString();
        assertThat(line).isEqualTo("op=PKCSReq txid=ab12 subject=\"CN=a,O=b\" serial=- outcome=failure:bad_request ms=3");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"x\nop=PKCSReq txid=1 outcome=issued", "x\r\nop=revoke outcome=revoked", "x\" outcome=\"issued",
            "x\\\" outcome=issued", "x\u0085y", "x\u2028y", "x\u202Eexe.fdp", "x\u2066y\u2069", "x\u200Bx", "\uFEFFx",
            "x\u007Fy", "x\u0000y", "tag\uDB40\uDC01", "lone\uD800"})
    void noValueCanSplitALineOrForgeAField(String hostile) {
        String line = AuditLine.op("PKCSReq").token("txid", hostile).text("subject", hostile).token("outcome", "failure:bad_request")
                .toString();
        assertThat(line).doesNotContain("\n", "\r", "\u0085", "\u2028", "\u2029", "\u202E", "\u2066", "\u200B", "\uFEFF");
        assertThat(org.scepca.ca.policy.UnsafeText.firstUnsafe(line)).isEmpty();
        Map<String, String> fields = AuditLine.parse(line);
        assertThat(fields).containsOnlyKeys("op", "txid", "subject", "outcome");
        assertThat(fields.get("outcome")).isEqualTo("failure:bad_request");
        assertThat(fields.get("subject")).isEqualTo(hostile);
        assertThat(fields.get("txid")).isEqualTo(hostile);
    }

    @Test
    void nonAsciiLettersStayReadable() {
        assertThat(AuditLine.op("x").text("subject", "CN=Zürich 東京").toString()).isEqualTo("op=x subject=\"CN=Zürich 東京\"");
    }

    @Test
    void longValuesAreCut() {
        String line = AuditLine.op("x").text("subject", "a".repeat(5000)).toString();
        assertThat(line.length()).isLessThan(AuditLine.MAX_VALUE + 20);
        assertThat(AuditLine.parse(line).get("subject")).endsWith("…");
    }

    @Test
    void parseSkipsTheFileTimestampAndRefusesRepeatedFields() {
        assertThat(AuditLine.parse("2026-01-01T00:00:00.000Z op=revoke serial=ab actor=cli:x"))
                .containsEntry("op", "revoke").containsEntry("serial", "ab");
        assertThatThrownBy(() -> AuditLine.parse("op=a outcome=x outcome=y")).hasMessageContaining("twice");
    }

    @Test
    void endpointFollowsTheActor() {
        assertThat(AuditLine.endpointOf("token:alice")).isEqualTo("admin-api");
        assertThat(AuditLine.endpointOf("mtls:CN=bob")).isEqualTo("admin-mtls");
        assertThat(AuditLine.endpointOf("cli:root")).isEqualTo("cli");
        assertThat(AuditLine.endpointOf("scep:renewal")).isEqualTo("scep");
    }
}
