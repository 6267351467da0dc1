package org.scepca.profiles;

import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * What a SCEP and an ACME enrollment profile have in common: the trust payloads and the
 * profile-level keys. Both request records implement it with their own accessors, so {@link
 * ProfileGenerator} builds those parts once.
 */
interface EnrollmentProfile {
  Preset preset();

  X509Certificate rootCertificate();

  X509Certificate intermediateCertificate();

  boolean includeIntermediate();

  String displayName();

  String organization();

  String description();

  String identifierPrefix();

  ProfileRequest.Scope payloadScope();

  boolean removalDisallowed();

  Map<String, String> consentText();
}
