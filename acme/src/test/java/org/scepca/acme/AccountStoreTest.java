package org.scepca.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scepca.ca.store.Database;

/** Accounts on a real H2 store: one per key and endpoint, kid lookup, deactivation. */
class AccountStoreTest {
    @TempDir
    Path dir;
    Database db;
    AccountStore web;
    AccountStore other;

    @BeforeEach
    void open() {
        db = Database.openH2(dir, dir.resolve("pw"), 2);
        web = store("web");
        other = store("vpn");
    }

    private AccountStore store(String endpoint) {
        return new AccountStore(db, new Directory("https://ca.example/acme/" + endpoint, Optional.empty(), false),
                endpoint, Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void oneAccountPerKeyAndEndpointFoundByKid() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        AccountStore.Account a = web.findOrCreate(key, Optional.of("mailto:ops@example.org"));
        assertThat(a.created()).isTrue();
        assertThat(a.key().isPrivate()).isFalse();

        AccountStore.Account again = web.findOrCreate(key.toPublicJWK(), Optional.empty());
        assertThat(again.created()).isFalse();
        assertThat(again.id()).isEqualTo(a.id());
        assertThat(again.contact()).contains("mailto:ops@example.org");

        assertThat(web.keyOf(web.url(a.id()))).contains(new JwsVerifier.AccountKey(key.toPublicJWK(), true));
        assertThat(web.keyOf("https://ca.example/acme/web/acct/nobody")).isEmpty();
        // Another endpoint knows neither the account nor its URL.
        assertThat(other.keyOf(web.url(a.id()))).isEmpty();
        assertThat(other.findByKey(key)).isEmpty();
        assertThat(other.findOrCreate(key, Optional.empty()).id()).isNotEqualTo(a.id());
    }

    @Test
    void aDeactivatedAccountIsKnownAsDeactivated() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        AccountStore.Account a = web.findOrCreate(key, Optional.empty());
        assertThat(web.deactivate(a.id())).isTrue();
        assertThat(web.deactivate(a.id())).isFalse();
        // Known, so that its requests are refused with unauthorized rather than accountDoesNotExist (7.3.6).
        assertThat(web.keyOf(web.url(a.id()))).contains(new JwsVerifier.AccountKey(key.toPublicJWK(), false));
        assertThat(web.findByKey(key).orElseThrow().status()).isEqualTo(AccountStore.Status.DEACTIVATED);
    }
}
