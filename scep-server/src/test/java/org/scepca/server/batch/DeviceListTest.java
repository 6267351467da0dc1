package org.scepca.server.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeviceListTest {
    private static DeviceList.Parsed parse(String csv) {
        return DeviceList.parse(csv.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rfc4180Quoting_crlf_bom_andHeaderAliasesInAnyOrderAndCase() {
        DeviceList.Parsed p = parse("\uFEFFSerial Number,Device,UDID,email\r\n"
                + "C02ABC123XYZ,\"Anna's iPad, 2nd\",00008030-001A2D3E3C02802E,anna@example.com\r\n"
                + "F9FXYZ12,\"the \"\"big\"\" one\",,\r\n"
                + ",\"two\nlines\",,\r\n"
                + "\r\n"
                + ",,,\r\n"
                + "G7QABC99,last,,");
        // A quoted line break is read as one field, and refused as a name (a subject is one line).
        assertThat(p.errors()).extracting(Object::toString).containsExactly("line 4: name contains a control character");
        assertThat(p.devices()).hasSize(3);
        Device anna = p.devices().get(0);
        assertThat(anna.name()).contains("Anna's iPad, 2nd");
        assertThat(anna.serial()).contains("C02ABC123XYZ");
        assertThat(anna.udid()).contains("00008030-001A2D3E3C02802E");
        assertThat(anna.user()).contains("anna@example.com");
        assertThat(anna.line()).isEqualTo(2);
        assertThat(p.devices().get(1).name()).contains("the \"big\" one");
        assertThat(p.devices().get(2).line()).as("after a quoted line break").isEqualTo(8);
    }

    @ParameterizedTest(name = "fail/{0}")
    @CsvSource(delimiter = '|', textBlock = """
            wrong field count   | a,b                              | line 3: 2 fields, the header has 3
            serial with a slash | ,../etc,                         | line 3: serial must be 4 to 32 letters and digits
            udid not hex        | ,,not-a-udid                     | line 3: udid must be hex digits and hyphens
            mdm variable        | $DEVICENAME,,                    | line 3: name contains an MDM variable
            intune variable     | {{DeviceId}},,                   | line 3: name contains an MDM variable
            duplicate serial    | x,C02OKSERIAL1,                  | line 3: the same device as line 2 (serial)
            """)
    void aBadLineIsReportedWithItsNumber_andTheOthersAreRead(String name, String badLine, String message) {
        DeviceList.Parsed p = parse("name,serial,udid\nok,C02OKSERIAL1,\n" + badLine + "\nlast,,\n");
        assertThat(p.errors()).singleElement().extracting(Object::toString).asString().startsWith(message);
        assertThat(p.unusable()).isFalse();
        assertThat(p.devices()).extracting(Device::line).contains(2, 4);
    }

    @Test
    void controlCharacters_overlongValues_andAnUnclosedQuoteAreLineErrors() {
        DeviceList.Parsed p = parse("name\nbell\u0007\n" + "x".repeat(DeviceList.MAX_FIELD + 1) + "\nfine\n\"open\n");
        assertThat(p.errors()).extracting(Object::toString).containsExactly(
                "line 2: name contains a control character",
                "line 3: name is longer than 128 characters",
                "line 5: a quoted field is not closed");
        assertThat(p.devices()).extracting(d -> d.name().orElseThrow()).containsExactly("fine");
    }

    @Test
    void aListWithoutUsableHeader_orTooBig_orNotUtf8_isUnusable() {
        assertThat(parse("nmae,serial\nx,C02OKSERIAL1\n").errors()).singleElement().extracting(Object::toString)
                .asString().contains("unknown column 'nmae'");
        assertThat(parse("user\na@example.com\n").errors()).singleElement().extracting(Object::toString).asString()
                .contains("needs a name, serial or udid column");
        assertThat(parse("").unusable()).isTrue();
        assertThat(DeviceList.parse(new byte[] {'n', 'a', 'm', 'e', '\n', (byte) 0xC3, '(', '\n'}).unusable()).isTrue();
        assertThat(DeviceList.parse(new byte[DeviceList.MAX_BYTES + 1]).unusable()).isTrue();
        StringBuilder many = new StringBuilder("name\n");
        for (int i = 0; i <= DeviceList.MAX_DEVICES; i++) {
            many.append("d").append(i).append('\n');
        }
        DeviceList.Parsed p = parse(many.toString());
        assertThat(p.devices()).hasSize(DeviceList.MAX_DEVICES);
        assertThat(p.unusable()).isTrue();
    }

    @ParameterizedTest(name = "ok/{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ../../etc/passwd       | _._.._etc_passwd
            .hidden                | _hidden
            C:\\Windows\\x         | C__Windows_x
            Anna's iPad            | Anna_s_iPad
            Zoë                    | Zo_
            """)
    void fileStemsCannotLeaveTheFolderOrHide(String name, String stem) {
        Device d = new Device(2, Optional.of(name), Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(d.fileStem()).isEqualTo(stem).doesNotContain("/").doesNotContain("\\").doesNotStartWith(".");
    }

    @Test
    void twoNamesWithTheSameFileStemAreADuplicate() {
        DeviceList.Parsed p = parse("name\nAnna's iPad\nanna_s ipad\n");
        assertThat(p.errors()).singleElement().extracting(Object::toString).isEqualTo(
                "line 3: the same device as line 2 (file name)");
    }
}
