package org.scepca.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated output compared byte for byte with {@code src/test/resources/golden/}. After an
 * intended change, rewrite the files with {@code mvn -pl mdm-profiles test
 * -Dprofiles.updateGolden=true} and review the diff like code.
 *
 * <p>dd-plist writes the platform line separator, so the files hold "\n" as on Linux and macOS,
 * where the build runs.
 */
class GoldenProfilesTest {

  private static final boolean UPDATE = Boolean.getBoolean("profiles.updateGolden");
  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
  private static final ProfileGenerator GENERATOR = new ProfileGenerator();

  static Stream<Arguments> outputs() {
    return Stream.of(
        golden(
            "generic.mobileconfig",
            () -> GENERATOR.mobileconfig(ProfileFixtures.generic().build())),
        golden("jamf.mobileconfig", () -> GENERATOR.mobileconfig(ProfileFixtures.jamf().build())),
        golden(
            "jamf-dynamic.mobileconfig",
            () -> GENERATOR.mobileconfig(ProfileFixtures.jamfDynamic().build())),
        golden(
            "intune.mobileconfig", () -> GENERATOR.mobileconfig(ProfileFixtures.intune().build())),
        golden(
            "everything.mobileconfig",
            () -> GENERATOR.mobileconfig(ProfileFixtures.everything().build())),
        golden(
            "acme-generic.mobileconfig",
            () -> GENERATOR.mobileconfig(ProfileFixtures.acmeGeneric().build())),
        golden(
            "acme-jamf.mobileconfig",
            () -> GENERATOR.mobileconfig(ProfileFixtures.acmeJamf().build())),
        golden(
            "acme-intune.mobileconfig",
            () -> GENERATOR.mobileconfig(ProfileFixtures.acmeIntune().build())),
        golden(
            "intune-sheet.txt",
            () -> utf8(GENERATOR.intuneSheet(ProfileFixtures.intune().build()).toText())),
        golden(
            "intune-sheet.json",
            () -> utf8(GENERATOR.intuneSheet(ProfileFixtures.intune().build()).toJson())),
        golden(
            "intune-root.cer",
            () -> GENERATOR.intuneSheet(ProfileFixtures.intune().build()).rootCer()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outputs")
  void output_matchesGoldenFile(String file, Supplier<byte[]> output) throws IOException {
    byte[] actual = output.get();
    Path path = GOLDEN.resolve(file);
    if (UPDATE) {
      Files.createDirectories(GOLDEN);
      Files.write(path, actual);
    }

    assertThat(path).as("golden file missing; run with -Dprofiles.updateGolden=true").exists();
    assertThat(actual)
        .as(
            "%s differs from the golden file; if intended, run with -Dprofiles.updateGolden=true",
            file)
        .isEqualTo(Files.readAllBytes(path));
  }

  private static Arguments golden(String file, Supplier<byte[]> output) {
    return Arguments.of(file, output);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
