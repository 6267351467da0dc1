package org.scepca.profiles;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks a parsed configuration profile against Apple's own schema files (apple/device-management,
 * copied verbatim into {@code src/test/resources/apple-schema/}, see {@code SOURCE.txt}).
 *
 * <p>What is checked, recursively through dictionaries and arrays: every key is known to the schema
 * (top level; each payload against {@code CommonPayloadKeys} plus its {@code PayloadType}'s file),
 * every {@code presence: required} key is present, every value has the declared type ({@code
 * <string>}, {@code <integer>}, {@code <real>}, {@code <boolean>}, {@code <date>}, {@code <data>},
 * {@code <array>}, {@code <dictionary>}, {@code <any>}), and {@code rangelist}, {@code range},
 * {@code format} and {@code repetition} are respected where given. OS availability ({@code
 * supportedOS}) is not checked: a profile for several platforms legitimately carries keys one of
 * them ignores.
 *
 * <p>Exported in this module's test-jar so other modules' tests can validate profiles they serve.
 */
public final class AppleProfileSchema {

  /** The payload files copied next to this class's resources; see {@code SOURCE.txt}. */
  public static final List<String> PAYLOAD_FILES =
      List.of(
          "com.apple.security.scep",
          "com.apple.security.root",
          "com.apple.security.pkcs1",
          "com.apple.security.pkcs12",
          "com.apple.security.pem",
          "com.apple.security.acme",
          "com.apple.mdm");

  private static final String RESOURCE_DIR = "/apple-schema/";
  private static final String ANY = "ANY";

  /**
   * One schema violation: where (e.g. {@code PayloadContent[2].PayloadContent.Keysize}) and what.
   */
  public record Violation(String path, String message) {
    @Override
    public String toString() {
      return path + ": " + message;
    }
  }

  /** One entry of a {@code payloadkeys}/{@code subkeys} list. */
  private record KeySpec(
      String key,
      String type,
      boolean required,
      List<Object> rangelist,
      Number rangeMin,
      Number rangeMax,
      Pattern format,
      Integer repetitionMin,
      Integer repetitionMax,
      List<KeySpec> subkeys) {}

  private final List<KeySpec> topLevel;
  private final List<KeySpec> commonPayloadKeys;
  private final Map<String, List<KeySpec>> payloadKeysByType;

  private AppleProfileSchema(
      List<KeySpec> topLevel,
      List<KeySpec> commonPayloadKeys,
      Map<String, List<KeySpec>> payloadKeysByType) {
    this.topLevel = topLevel;
    this.commonPayloadKeys = commonPayloadKeys;
    this.payloadKeysByType = payloadKeysByType;
  }

  /**
   * Loads TopLevel, CommonPayloadKeys and every file in {@link #PAYLOAD_FILES} from the classpath.
   */
  public static AppleProfileSchema load() {
    List<KeySpec> top = unwrapConsentText(keys(readYaml("TopLevel")));
    List<KeySpec> common = keys(readYaml("CommonPayloadKeys"));
    Map<String, List<KeySpec>> byType = new HashMap<>();
    for (String file : PAYLOAD_FILES) {
      Map<String, Object> yaml = readYaml(file);
      Map<?, ?> payload = (Map<?, ?>) yaml.get("payload");
      byType.put((String) payload.get("payloadtype"), keys(yaml));
    }
    return new AppleProfileSchema(top, common, byType);
  }

  /** Parses the plist (XML or binary) and validates it; a parse failure is one violation. */
  public List<Violation> validate(byte[] plist) {
    NSObject parsed;
    try {
      parsed = PropertyListParser.parse(plist);
    } catch (Exception e) {
      return List.of(new Violation("", "not a property list: " + e));
    }
    return validate(parsed);
  }

  /** Validates a parsed profile; an empty list means the profile conforms. */
  public List<Violation> validate(NSObject profile) {
    List<Violation> violations = new ArrayList<>();
    if (!(profile instanceof NSDictionary top)) {
      violations.add(
          new Violation("", "profile root must be a <dictionary>, not " + typeOf(profile)));
      return violations;
    }
    validateDictionary(top, topLevel, "", violations);
    // TopLevel describes payload items as "any dictionary"; check each against its own type.
    if (top.objectForKey("PayloadContent") instanceof NSArray payloads) {
      NSObject[] items = payloads.getArray();
      for (int i = 0; i < items.length; i++) {
        String path = "PayloadContent[" + i + "]";
        if (items[i] instanceof NSDictionary payload) {
          validatePayload(payload, path, violations);
        }
      }
    }
    return violations;
  }

  private void validatePayload(NSDictionary payload, String path, List<Violation> violations) {
    if (!(payload.objectForKey("PayloadType") instanceof NSString type)) {
      violations.add(
          new Violation(join(path, "PayloadType"), "payload has no <string> PayloadType"));
      return;
    }
    List<KeySpec> own = payloadKeysByType.get(type.getContent());
    if (own == null) {
      violations.add(
          new Violation(join(path, "PayloadType"), "no schema loaded for " + type.getContent()));
      return;
    }
    // The payload's own file wins where it redefines a common key (e.g. PayloadContent).
    Map<String, KeySpec> merged = new LinkedHashMap<>();
    commonPayloadKeys.forEach(spec -> merged.put(spec.key(), spec));
    own.forEach(spec -> merged.put(spec.key(), spec));
    validateDictionary(payload, List.copyOf(merged.values()), path, violations);
  }

  private static void validateDictionary(
      NSDictionary dictionary, List<KeySpec> specs, String path, List<Violation> violations) {
    Map<String, KeySpec> byKey = new HashMap<>();
    KeySpec any = null;
    for (KeySpec spec : specs) {
      if (spec.key().equals(ANY)) {
        any = spec;
      } else {
        byKey.put(spec.key(), spec);
      }
    }
    for (String key : dictionary.allKeys()) {
      KeySpec spec = byKey.getOrDefault(key, any);
      if (spec == null) {
        violations.add(new Violation(join(path, key), "unknown key"));
      } else {
        validateValue(dictionary.objectForKey(key), spec, join(path, key), violations);
      }
    }
    for (KeySpec spec : byKey.values()) {
      if (spec.required() && !dictionary.containsKey(spec.key())) {
        violations.add(new Violation(join(path, spec.key()), "required key is missing"));
      }
    }
    if (any != null && any.required() && dictionary.count() == 0) {
      violations.add(new Violation(path, "dictionary must not be empty"));
    }
  }

  private static void validateValue(
      NSObject value, KeySpec spec, String path, List<Violation> violations) {
    String actual = typeOf(value);
    if (!spec.type().equals("<any>") && !spec.type().equals(actual)) {
      violations.add(new Violation(path, "expected " + spec.type() + " but found " + actual));
      return;
    }
    if (!spec.rangelist().isEmpty()
        && spec.rangelist().stream().noneMatch(v -> sameValue(v, value))) {
      violations.add(
          new Violation(path, "value " + display(value) + " is not one of " + spec.rangelist()));
    }
    if (value instanceof NSNumber number && !number.isBoolean()) {
      if (spec.rangeMin() != null && number.doubleValue() < spec.rangeMin().doubleValue()) {
        violations.add(new Violation(path, "value " + display(value) + " < " + spec.rangeMin()));
      }
      if (spec.rangeMax() != null && number.doubleValue() > spec.rangeMax().doubleValue()) {
        violations.add(new Violation(path, "value " + display(value) + " > " + spec.rangeMax()));
      }
    }
    if (spec.format() != null
        && value instanceof NSString string
        && !spec.format().matcher(string.getContent()).matches()) {
      violations.add(
          new Violation(path, "value " + display(value) + " does not match " + spec.format()));
    }
    if (value instanceof NSDictionary dictionary && !spec.subkeys().isEmpty()) {
      validateDictionary(dictionary, spec.subkeys(), path, violations);
    }
    if (value instanceof NSArray array && !spec.subkeys().isEmpty()) {
      // For arrays Apple lists a single subkey that describes every element; a repetition on it
      // bounds the element count (Subject pairs are exactly [OID, value]).
      KeySpec item = spec.subkeys().get(0);
      int count = array.count();
      if (item.repetitionMin() != null && count < item.repetitionMin()) {
        violations.add(
            new Violation(
                path,
                "has " + count + " elements, at least " + item.repetitionMin() + " required"));
      }
      if (item.repetitionMax() != null && count > item.repetitionMax()) {
        violations.add(
            new Violation(
                path, "has " + count + " elements, at most " + item.repetitionMax() + " allowed"));
      }
      NSObject[] elements = array.getArray();
      for (int i = 0; i < elements.length; i++) {
        validateValue(elements[i], item, path + "[" + i + "]", violations);
      }
    }
  }

  /** The schema type name of a parsed plist value. */
  static String typeOf(NSObject value) {
    if (value instanceof NSString) {
      return "<string>";
    }
    if (value instanceof NSNumber number) {
      if (number.isBoolean()) {
        return "<boolean>";
      }
      return number.isInteger() ? "<integer>" : "<real>";
    }
    if (value instanceof NSData) {
      return "<data>";
    }
    if (value instanceof NSDate) {
      return "<date>";
    }
    if (value instanceof NSArray) {
      return "<array>";
    }
    if (value instanceof NSDictionary) {
      return "<dictionary>";
    }
    return value == null ? "null" : value.getClass().getSimpleName();
  }

  private static boolean sameValue(Object allowed, NSObject value) {
    if (value instanceof NSString string) {
      return allowed instanceof String text && text.equals(string.getContent());
    }
    if (value instanceof NSNumber number && allowed instanceof Number bound) {
      return number.isInteger()
          ? (bound instanceof Integer || bound instanceof Long)
              && bound.longValue() == number.longValue()
          : bound.doubleValue() == number.doubleValue();
    }
    return false;
  }

  private static String display(NSObject value) {
    return value instanceof NSString string
        ? "\"" + string.getContent() + "\""
        : String.valueOf(value);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /**
   * Apple's TopLevel.yaml wraps ConsentText's language map in an extra {@code ConsentTextItem}
   * dictionary, while the key's own description (and Apple's profile reference) make ConsentText
   * itself the map: {@code {"default": "...", "en": "..."}}. The same file's
   * passwordContentDescription pattern (a dictionary whose subkey is {@code ANY <string>}) is what
   * is meant, so the item's subkeys are lifted one level up. This is the only edit to Apple's
   * schema, made here in code so the YAML stays verbatim.
   */
  private static List<KeySpec> unwrapConsentText(List<KeySpec> topLevel) {
    List<KeySpec> fixed = new ArrayList<>();
    for (KeySpec spec : topLevel) {
      if (spec.key().equals("ConsentText")
          && spec.subkeys().size() == 1
          && spec.subkeys().get(0).key().equals("ConsentTextItem")) {
        spec =
            new KeySpec(
                spec.key(),
                spec.type(),
                spec.required(),
                spec.rangelist(),
                spec.rangeMin(),
                spec.rangeMax(),
                spec.format(),
                spec.repetitionMin(),
                spec.repetitionMax(),
                spec.subkeys().get(0).subkeys());
      }
      fixed.add(spec);
    }
    return List.copyOf(fixed);
  }

  private static Map<String, Object> readYaml(String name) {
    String resource = RESOURCE_DIR + name + ".yaml";
    try (InputStream in = AppleProfileSchema.class.getResourceAsStream(resource)) {
      Objects.requireNonNull(in, () -> "missing schema resource " + resource);
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      return yaml.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  private static List<KeySpec> keys(Map<String, Object> yaml) {
    return keySpecs((List<?>) yaml.get("payloadkeys"));
  }

  private static List<KeySpec> keySpecs(List<?> entries) {
    if (entries == null) {
      return List.of();
    }
    List<KeySpec> specs = new ArrayList<>();
    for (Object entry : entries) {
      Map<?, ?> map = (Map<?, ?>) entry;
      Map<?, ?> range = (Map<?, ?>) map.get("range");
      Map<?, ?> repetition = (Map<?, ?>) map.get("repetition");
      List<?> rangelist = (List<?>) map.get("rangelist");
      specs.add(
          new KeySpec(
              String.valueOf(map.get("key")),
              String.valueOf(map.get("type")),
              "required".equals(map.get("presence")),
              rangelist == null ? List.of() : List.copyOf(rangelist),
              range == null ? null : (Number) range.get("min"),
              range == null ? null : (Number) range.get("max"),
              map.get("format") == null ? null : Pattern.compile((String) map.get("format")),
              repetition == null ? null : (Integer) repetition.get("min"),
              repetition == null ? null : (Integer) repetition.get("max"),
              keySpecs((List<?>) map.get("subkeys"))));
    }
    return List.copyOf(specs);
  }
}
