package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.PropertyListParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class Pkcs12ProfileTest {
  private static final AppleProfileSchema SCHEMA = AppleProfileSchema.load();
  private static final TestPki PKI = TestPki.rsa(Instant.now());

  private static byte[] pkcs12(char[] password) throws Exception {
    TestPki.Issued leaf =
        PKI.issueLeaf("iPad-17", TestPki.rsaKeyPair(2048), KeyPurposeId.id_kp_clientAuth);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "iPad-17",
        leaf.privateKey(),
        password,
        new Certificate[] {leaf.certificate(), PKI.intermediate().certificate()});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.store(out, password);
    return out.toByteArray();
  }

  private static Pkcs12Profile profile(byte[] p12, Optional<String> password) {
    return new Pkcs12Profile(
        new IdentifierPrefix("com.example.pilot"),
        "Example",
        "iPad-17",
        PKI.root().certificate(),
        p12,
        "iPad-17.p12",
        password);
  }

  @Test
  void carriesTheIdentityAndTheRoot_validAgainstApplesSchema_withoutThePasswordByDefault()
      throws Exception {
    byte[] p12 = pkcs12("secret-12345".toCharArray());
    byte[] plist = profile(p12, Optional.empty()).mobileconfig();
    assertThat(SCHEMA.validate(plist)).isEmpty();

    NSDictionary top = (NSDictionary) PropertyListParser.parse(plist);
    assertThat(top.objectForKey("PayloadIdentifier").toJavaObject())
        .isEqualTo("com.example.pilot.p12.iPad-17");
    NSArray payloads = (NSArray) top.objectForKey("PayloadContent");
    NSDictionary root = (NSDictionary) payloads.objectAtIndex(0);
    NSDictionary identity = (NSDictionary) payloads.objectAtIndex(1);
    assertThat(root.objectForKey("PayloadType").toJavaObject()).isEqualTo("com.apple.security.root");
    assertThat(((NSData) root.objectForKey("PayloadContent")).bytes())
        .isEqualTo(PKI.root().certificate().getEncoded());
    assertThat(identity.objectForKey("PayloadType").toJavaObject())
        .isEqualTo("com.apple.security.pkcs12");
    assertThat(identity.objectForKey("PayloadIdentifier").toJavaObject())
        .isEqualTo("com.example.pilot.p12.iPad-17.pkcs12");
    assertThat(identity.objectForKey("PayloadCertificateFileName").toJavaObject())
        .isEqualTo("iPad-17.p12");
    assertThat(identity.containsKey("Password")).as("the device asks for it").isFalse();
    byte[] embedded = ((NSData) identity.objectForKey("PayloadContent")).bytes();
    assertThat(embedded).isEqualTo(p12);
    KeyStore opened = KeyStore.getInstance("PKCS12");
    opened.load(new ByteArrayInputStream(embedded), "secret-12345".toCharArray());
    assertThat(opened.isKeyEntry("ipad-17") || opened.isKeyEntry("iPad-17")).isTrue();
  }

  @Test
  void embedsThePasswordOnlyWhenAsked_keepingItOutOfTheUuids() throws Exception {
    byte[] p12 = pkcs12("secret-12345".toCharArray());
    NSDictionary without = profile(p12, Optional.empty()).profile();
    NSDictionary with = profile(p12, Optional.of("secret-12345")).profile();
    assertThat(SCHEMA.validate(with)).isEmpty();
    NSDictionary identity = (NSDictionary) ((NSArray) with.objectForKey("PayloadContent")).objectAtIndex(1);
    assertThat(identity.objectForKey("Password").toJavaObject()).isEqualTo("secret-12345");
    NSDictionary identityWithout =
        (NSDictionary) ((NSArray) without.objectForKey("PayloadContent")).objectAtIndex(1);
    assertThat(identity.objectForKey("PayloadUUID")).isEqualTo(identityWithout.objectForKey("PayloadUUID"));
    assertThat(with.objectForKey("PayloadUUID")).isEqualTo(without.objectForKey("PayloadUUID"));
  }

  @Test
  void refusesADeviceThatWouldBreakTheIdentifier() throws Exception {
    byte[] p12 = pkcs12("x".toCharArray());
    assertThatThrownBy(
            () ->
                new Pkcs12Profile(
                    IdentifierPrefix.LEGACY, "Example", "../x", PKI.root().certificate(), p12,
                    "x.p12", Optional.empty()))
        .isInstanceOf(InvalidProfileOptionException.class)
        .hasMessageContaining("device");
  }
}
