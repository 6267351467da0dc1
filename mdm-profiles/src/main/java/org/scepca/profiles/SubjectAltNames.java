package org.scepca.profiles;

import com.dd.plist.NSDictionary;
import com.dd.plist.NSString;

/**
 * The {@code SubjectAltName} dictionary of a SCEP payload: the names the device asks the CA to put
 * in its certificate. Each component is optional (null means absent).
 *
 * <p>One value per kind: Apple's prose says a key may also hold an array of strings, but its schema
 * types every key as {@code <string>}, Jamf Pro's UI offers one value, and a device certificate
 * rarely needs more. Values may hold MDM variables ({@code $UDID}, {@code {{DeviceId}}}).
 *
 * @param dnsName {@code dNSName}
 * @param rfc822Name {@code rfc822Name} (an e-mail address)
 * @param uniformResourceIdentifier {@code uniformResourceIdentifier}
 * @param ntPrincipalName {@code ntPrincipalName} (a Windows UPN)
 */
public record SubjectAltNames(
    String dnsName, String rfc822Name, String uniformResourceIdentifier, String ntPrincipalName) {

  /** No SubjectAltName dictionary at all. */
  public static final SubjectAltNames NONE = new SubjectAltNames(null, null, null, null);

  public SubjectAltNames {
    check("dNSName", dnsName);
    check("rfc822Name", rfc822Name);
    check("uniformResourceIdentifier", uniformResourceIdentifier);
    check("ntPrincipalName", ntPrincipalName);
  }

  public SubjectAltNames withDnsName(String value) {
    return new SubjectAltNames(value, rfc822Name, uniformResourceIdentifier, ntPrincipalName);
  }

  public SubjectAltNames withRfc822Name(String value) {
    return new SubjectAltNames(dnsName, value, uniformResourceIdentifier, ntPrincipalName);
  }

  public SubjectAltNames withUniformResourceIdentifier(String value) {
    return new SubjectAltNames(dnsName, rfc822Name, value, ntPrincipalName);
  }

  public SubjectAltNames withNtPrincipalName(String value) {
    return new SubjectAltNames(dnsName, rfc822Name, uniformResourceIdentifier, value);
  }

  /** True when no name is set, so the payload carries no SubjectAltName key. */
  public boolean isEmpty() {
    return dnsName == null
        && rfc822Name == null
        && uniformResourceIdentifier == null
        && ntPrincipalName == null;
  }

  /** The payload dictionary, using Apple's key spellings. */
  NSDictionary toPlist() {
    NSDictionary dictionary = new NSDictionary();
    putIfPresent(dictionary, "dNSName", dnsName);
    putIfPresent(dictionary, "ntPrincipalName", ntPrincipalName);
    putIfPresent(dictionary, "rfc822Name", rfc822Name);
    putIfPresent(dictionary, "uniformResourceIdentifier", uniformResourceIdentifier);
    return dictionary;
  }

  private static void putIfPresent(NSDictionary dictionary, String key, String value) {
    if (value != null) {
      dictionary.put(key, new NSString(value));
    }
  }

  private static void check(String key, String value) {
    if (value != null) {
      Strings.requireLine("subjectAltName " + key, value);
    }
  }
}
