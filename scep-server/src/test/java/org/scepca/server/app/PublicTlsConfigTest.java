package org.scepca.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;
import org.scepca.ca.testing.TestProperties;

/** The public.tls-* keys: typed, validated at start, errors naming the key; known to CaConfig (same file). */
class PublicTlsConfigTest {
    private static final Path BASE = Path.of("/data");

    private static Properties props(String... kv) {
        return TestProperties.of(kv);
    }

    @Test
    void absent_meansNoHttpsConnector() {
        assertThat(ServerConfig.publicTls(new Properties(), BASE, 8080)).isEmpty();
    }

    @Test
    void portWithFiles_resolvesThemAgainstTheDataFolder() {
        Properties p = props("public.tls-port", "8443", "public.tls-cert", "tls/chain.pem", "public.tls-key", "/etc/k.pem");
        CaConfig.from(p);
        ServerConfig.PublicTls t = ServerConfig.publicTls(p, BASE, 8080).orElseThrow();
        assertThat(t.port()).isEqualTo(8443);
        assertThat(t.certificateChain()).contains(BASE.resolve("tls/chain.pem"));
        assertThat(t.privateKey()).contains(Path.of("/etc/k.pem"));
    }

    @Test
    void portAlone_meansTheServerIssuesItsOwnCertificate() {
        ServerConfig.PublicTls t = ServerConfig.publicTls(props("public.tls-port", "8443"), BASE, 8080).orElseThrow();
        assertThat(t.certificateChain()).isEqualTo(Optional.empty());
        assertThat(t.privateKey()).isEqualTo(Optional.empty());
    }

    @Test
    void mistakes_areOneLineNamingTheKey() {
        assertThatThrownBy(() -> ServerConfig.publicTls(props("public.tls-port", "http"), BASE, 8080))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("public.tls-port");
        assertThatThrownBy(() -> ServerConfig.publicTls(props("public.tls-port", "70000"), BASE, 8080))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("public.tls-port");
        assertThatThrownBy(() -> ServerConfig.publicTls(props("public.tls-port", "8080"), BASE, 8080))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("public.tls-port must differ");
        assertThatThrownBy(() -> ServerConfig.publicTls(props("public.tls-port", "8443", "public.tls-cert", "c.pem"),
                BASE, 8080)).isInstanceOf(InvalidConfigException.class).hasMessageContaining("public.tls-key");
        assertThatThrownBy(() -> ServerConfig.publicTls(props("public.tls-cert", "c.pem", "public.tls-key", "k.pem"),
                BASE, 8080)).isInstanceOf(InvalidConfigException.class).hasMessageContaining("public.tls-port");
        assertThatThrownBy(() -> CaConfig.from(props("public.tls-prot", "8443")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("public.tls-prot");
    }
}
