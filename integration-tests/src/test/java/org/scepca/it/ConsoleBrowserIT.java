package org.scepca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jscep.client.Client;
import org.jscep.client.EnrollmentResponse;
import org.jscep.client.verification.OptimisticCertificateVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.scepca.ca.config.CaConfig;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.revocation.RevocationReason;
import org.scepca.ca.store.CertificateStatus;
import org.scepca.ca.testing.Csrs;
import org.scepca.ca.testing.TestKeys;
import org.scepca.ca.testing.TestPki;
import org.scepca.ca.tokens.AdminRole;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.scepca.server.cli.Providers;

/**
 * The admin console in a real browser (Debian's chromium, headless, through chromedriver) against a real server: an
 * iPhone-style enrollment by jscep waits for approval, an operator logs in with a token, creates a challenge,
 * approves the request, the device polls and gets its certificate, and the operator revokes it and sees it revoked.
 * Screenshots go to target/screenshots.
 */
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target/screenshots");

    @TempDir
    Path dir;
    @TempDir
    Path browserProfile;
    private Running running;
    private WebDriver driver;
    private WebDriverWait wait;
    private String base;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        Providers.register();
        TestPki.create(dir).close();
        running = Running.start(new CaDirectory(dir), TestPki.PASSPHRASE, CaConfig.defaults().withManualApproval(true),
                ServerConfig.defaults("127.0.0.1", 0), AdminConfig.loopback(0));
        base = "http://127.0.0.1:" + running.adminPort();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1366,1000", "--user-data-dir=" + browserProfile);
        options.setExperimentalOption("prefs", Map.of("download.default_directory",
                browserProfile.resolve("downloads").toString(), "download.prompt_for_download", false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        // Headless Chrome saves downloads only where told to.
        Files.createDirectories(browserProfile.resolve("downloads"));
        chrome.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath",
                browserProfile.resolve("downloads").toString()));
        driver = chrome;
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (running != null) {
            running.close();
        }
    }

    private void screenshot(String name) throws IOException {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }

    private WebElement visible(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    }

    private void click(String id) {
        wait.until(ExpectedConditions.elementToBeClickable(By.id(id))).click();
    }

    private static X509Certificate selfSigned(KeyPair kp, String dn) throws Exception {
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name(dn),
                BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), new X500Name(dn),
                kp.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
    }

    @Test
    void operatorLogsIn_createsChallenge_approvesAndRevokesAScepEnrolledCertificate() throws Exception {
        // A device enrolls with a one-time challenge; the CA is in manual-approval mode, so it waits.
        KeyPair device = TestKeys.rsa2048(0);
        String cn = "iphone-console-" + System.nanoTime() % 100000;
        X509Certificate identity = selfSigned(device, "CN=" + cn + ",O=Acme Fleet");
        var challenge = running.ca().challenges().mint(Duration.ofMinutes(10), Optional.of("jscep device"));
        var csr = Csrs.csr().keys(device).subject("CN=" + cn + ",O=Acme Fleet").dns(cn + ".devices.acme.test")
                .challenge(challenge.secret()).build();
        Client scep = new Client(new URL("http://127.0.0.1:" + running.port() + "/scep"), new OptimisticCertificateVerifier());
        EnrollmentResponse first = scep.enrol(identity, device.getPrivate(), csr);
        assertThat(first.isPending()).isTrue();
        // Some history for the dashboard and the search.
        for (int i = 0; i < 3; i++) {
            running.ca().issuance().issue(new org.scepca.ca.issuance.IssuanceRequest(Csrs.csr().subject("CN=mac-" + i
                    + ",O=Acme Fleet").dns("mac-" + i + ".devices.acme.test").build(), "scep",
                    org.scepca.ca.policy.CertificateProfile.CLIENT, org.scepca.ca.store.IssuanceEffects.none()));
        }
        // A Mac enrolled through Jamf's dynamic challenge: its record names the device, which the console finds.
        var jamfMac = running.ca().issuance().issue(new org.scepca.ca.issuance.IssuanceRequest(Csrs.csr()
                .subject("CN=ann-macbook,O=Acme Fleet").build(), "scep:challenge:one_time",
                org.scepca.ca.policy.CertificateProfile.CLIENT, org.scepca.ca.store.IssuanceEffects.none(),
                org.scepca.ca.policy.NameRule.any(), new org.scepca.ca.store.IssuedFor(Optional.of("default"),
                        Optional.empty(), Optional.of("jamf:C02CONSOLE01"), Optional.of("C02CONSOLE01"),
                        Optional.of("00008030-001A2B3C4D5E"), Optional.empty())));
        String token = running.ca().tokens().create("it-operator", AdminRole.ADMIN).token();

        // Log in.
        driver.get(base + "/");
        visible("login-token").sendKeys("scepca_wrong");
        click("login-submit");
        assertThat(visible("login-error").getText()).contains("invalid or revoked");
        driver.findElement(By.id("login-token")).clear();
        driver.findElement(By.id("login-token")).sendKeys(token);
        screenshot("01-login");
        click("login-submit");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-stat=pending] .value"), "1"));
        assertThat(driver.findElement(By.id("who-name")).getText()).isEqualTo("it-operator");
        // The three Macs and the Jamf-enrolled one.
        assertThat(driver.findElement(By.cssSelector("[data-stat=active] .value")).getText()).isEqualTo("4");
        screenshot("02-dashboard");

        // Create a one-time challenge and read it once.
        click("nav-challenges");
        new Select(visible("challenge-ttl")).selectByValue("24h");
        driver.findElement(By.id("challenge-note")).sendKeys("ipad-lab-7");
        click("challenge-create");
        wait.until(d -> !d.findElement(By.id("challenge-secret")).getAttribute("value").isEmpty());
        String secret = driver.findElement(By.id("challenge-secret")).getAttribute("value");
        assertThat(running.ca().challenges().check(secret)).isPresent();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("challenge-rows"), "ipad-lab-7"));
        assertThat(driver.findElement(By.id("challenge-rows")).getText()).doesNotContain(secret);
        screenshot("03-challenge");

        // Generate and download a generic profile: it carries a new one-time challenge.
        click("nav-profiles");
        wait.until(d -> d.findElement(By.id("profile-url")).getAttribute("value").endsWith(running.port() + "/scep"));
        driver.findElement(By.id("profile-subject")).sendKeys("CN=$SERIALNUMBER,O=Acme Fleet");
        driver.findElement(By.id("profile-display-name")).sendKeys("Acme device certificate");
        click("profile-download");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("profile-challenge-info"), "one-time challenge"));
        Path downloaded = browserProfile.resolve("downloads/scepca-generic.mobileconfig");
        wait.until(d -> Files.isRegularFile(downloaded));
        String profile = Files.readString(downloaded);
        assertThat(profile).contains("com.apple.security.scep").contains("Acme device certificate")
                .contains("http://127.0.0.1:" + running.port() + "/scep");
        screenshot("04-profile");

        // The same page makes an ACME profile: the SCEP fields step aside, the ACME ones appear.
        new Select(visible("profile-protocol")).selectByValue("acme");
        assertThat(driver.findElement(By.id("profile-url")).isDisplayed()).isFalse();
        new Select(visible("profile-preset")).selectByValue("jamf");
        driver.findElement(By.id("profile-directory-url")).sendKeys("https://ca.example.test/acme/default/directory");
        click("profile-download");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("profile-challenge-info"), "attestation"));
        Path acmeProfile = browserProfile.resolve("downloads/scepca-jamf-acme.mobileconfig");
        wait.until(d -> Files.isRegularFile(acmeProfile));
        assertThat(Files.readString(acmeProfile)).contains("com.apple.security.acme")
                .contains("<string>$SERIALNUMBER</string>").contains("https://ca.example.test/acme/default/directory");
        screenshot("04b-acme-profile");

        // Approve the pending enrollment; the device polls and receives its certificate.
        click("nav-requests");
        String txid = first.getTransactionId().toString();
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#request-rows tr[data-transaction='" + txid + "']")));
        screenshot("05-pending");
        row.findElement(By.xpath(".//button[text()='Approve']")).click();
        click("confirm-ok");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "Issued"));
        EnrollmentResponse polled = scep.poll(identity, device.getPrivate(),
                running.ca().material().intermediateCertificate().getSubjectX500Principal(), first.getTransactionId());
        assertThat(polled.isSuccess()).isTrue();
        X509Certificate issued = polled.getCertStore().getCertificates(null).stream()
                .map(X509Certificate.class::cast)
                .filter(c -> c.getPublicKey().equals(device.getPublic())).findFirst().orElseThrow();
        String serial = issued.getSerialNumber().toString(16);

        // Find it, open it, revoke it with a reason after confirming, and see it revoked.
        click("nav-certificates");
        visible("cert-q").sendKeys(cn);
        click("cert-search-submit");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#cert-rows tr[data-serial='" + serial + "']")))
                .click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("cert-detail-serial"), serial));
        screenshot("06-certificate");
        click("cert-revoke");
        new Select(visible("revoke-reason")).selectByValue("keyCompromise");
        screenshot("07-revoke-confirm");
        click("confirm-ok");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#cert-rows tr[data-serial='" + serial + "'] .badge"), "revoked"));
        assertThat(driver.findElement(By.id("cert-detail-fields")).getText()).contains("revoked since").contains("keyCompromise");
        screenshot("08-revoked");

        var stored = running.ca().certificates().find(issued.getSerialNumber()).orElseThrow();
        assertThat(stored.status()).isEqualTo(CertificateStatus.REVOKED);
        assertThat(stored.revocationReason()).contains(RevocationReason.KEY_COMPROMISE);
        assertThat(running.ca().crls().current().crl().getRevokedCertificate(issued.getSerialNumber())).isNotNull();
        // The dashboard follows.
        click("nav-dashboard");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-stat=revoked] .value"), "1"));
        screenshot("09-dashboard-after");

        // Log out: the token leaves session storage, the page reloads empty and the console is locked again.
        click("logout");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "Signed out"));
        visible("login-token");
        assertThat(driver.findElement(By.id("cert-rows")).getText()).isEmpty();
        assertThat(((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "return sessionStorage.getItem('scepca.token')")).isNull();
        driver.get(base + "/console/#/certificates");
        visible("login-token");

        // A viewer sees the same pages without the controls that change anything.
        String viewer = running.ca().tokens().create("it-viewer", AdminRole.VIEWER).token();
        driver.findElement(By.id("login-token")).sendKeys(viewer);
        click("login-submit");
        wait.until(ExpectedConditions.textToBe(By.id("who-role"), "viewer"));
        assertThat(driver.findElement(By.id("nav-profiles")).isDisplayed()).isFalse();
        click("nav-challenges");
        visible("challenge-rows");
        assertThat(driver.findElement(By.id("challenge-form")).isDisplayed()).isFalse();
        click("nav-certificates");
        visible("cert-q").sendKeys("mac-0");
        click("cert-search-submit");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#cert-rows tr"))).click();
        visible("cert-dl-pem");
        assertThat(driver.findElement(By.id("cert-revoke")).isDisplayed()).isFalse();
        // Found by the device's serial number, which is in no name of the certificate (the search covers the serial
        // number, UDID, Intune device id and note recorded with it), with its device shown.
        String jamfSerial = jamfMac.record().serialHex();
        driver.findElement(By.id("cert-q")).clear();
        visible("cert-q").sendKeys("c02console01");
        click("cert-search-submit");
        WebElement jamfRow = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#cert-rows tr[data-serial='" + jamfSerial + "']")));
        assertThat(jamfRow.getText()).contains("C02CONSOLE01");
        assertThat(driver.findElements(By.cssSelector("#cert-rows tr"))).hasSize(1);
        jamfRow.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("cert-detail-serial"), jamfSerial));
        assertThat(driver.findElement(By.id("cert-detail-fields")).getText()).contains("serial C02CONSOLE01")
                .contains("UDID 00008030-001A2B3C4D5E");
        screenshot("10-device-search");
        click("logout");
        visible("login-token");

        // Nothing was blocked by the Content-Security-Policy and no script failed.
        List<LogEntry> problems = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !e.getMessage().contains("401")).toList();
        assertThat(problems).extracting(LogEntry::getMessage).isEmpty();
    }

    private Object js(String script) {
        return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(script);
    }

    /** At phone width: the page must not scroll sideways. */
    private void assertNoSidewaysScroll(String page) {
        Number scroll = (Number) js("return document.documentElement.scrollWidth");
        Number client = (Number) js("return document.documentElement.clientWidth");
        assertThat(scroll.intValue()).as("sideways scrolling on " + page).isLessThanOrEqualTo(client.intValue());
    }

    @Test
    void deepLinkSurvivesSignIn_bulkRevoke_csv_audit_tokens_chart_andEveryPageFitsAPhone() throws Exception {
        List<String> serials = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            serials.add(running.ca().issuance().issue(new org.scepca.ca.issuance.IssuanceRequest(Csrs.csr()
                    .subject("CN=fleet-" + i + ",O=Acme Fleet").build(), "scep",
                    org.scepca.ca.policy.CertificateProfile.CLIENT, org.scepca.ca.store.IssuanceEffects.none()))
                    .record().serialHex());
        }
        String token = running.ca().tokens().create("it-fleet", AdminRole.ADMIN).token();

        // A deep link before signing in: the sign-in returns to it.
        driver.get(base + "/console/#/certificates/" + serials.get(0));
        visible("login-token").sendKeys(token);
        click("login-submit");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("cert-detail-serial"), serials.get(0)));
        assertThat(driver.getCurrentUrl()).endsWith("#/certificates/" + serials.get(0));
        screenshot("11-deep-link");

        // Select two and revoke them with one reason.
        for (String s : serials.subList(1, 3)) {
            driver.findElement(By.cssSelector("#cert-rows tr[data-serial='" + s + "'] input.select")).click();
        }
        assertThat(driver.findElement(By.id("cert-selected-count")).getText()).isEqualTo("2 selected");
        click("cert-bulk-revoke");
        new Select(visible("revoke-reason")).selectByValue("cessationOfOperation");
        screenshot("12-bulk-revoke-confirm");
        click("confirm-ok");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "Revoked 2"));
        for (String s : serials.subList(1, 3)) {
            assertThat(running.ca().certificates().find(new BigInteger(s, 16)).orElseThrow().status())
                    .isEqualTo(CertificateStatus.REVOKED);
        }
        // The toast sits above the page and covers no button; it has a dismiss button.
        Boolean overlaps = (Boolean) js("const t = document.querySelector('#toast .toast').getBoundingClientRect();"
                + "return [...document.querySelectorAll('main button')].filter(b => b.offsetParent && !b.closest('#toast'))"
                + ".some(b => { const r = b.getBoundingClientRect(); return r.left < t.right && r.right > t.left"
                + " && r.top < t.bottom && r.bottom > t.top; });");
        assertThat(overlaps).isFalse();
        screenshot("13-bulk-revoked");
        driver.findElement(By.cssSelector("#toast .toast-close")).click();
        wait.until(d -> d.findElements(By.cssSelector("#toast .toast")).isEmpty());

        // CSV export of the search.
        click("cert-export");
        Path csv = browserProfile.resolve("downloads/certificates.csv");
        wait.until(d -> Files.isRegularFile(csv) && csv.toFile().length() > 0);
        assertThat(Files.readString(csv)).startsWith("serial,subject").contains(serials.get(2));

        // The audit log, by serial: the revocation is there with its actor.
        driver.get(base + "/console/#/audit?serial=" + serials.get(1));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-rows"), "token:it-fleet"));
        assertThat(driver.findElement(By.id("audit-serial")).getAttribute("value")).isEqualTo(serials.get(1));
        screenshot("14-audit");

        // Tokens: create (shown once), then revoke.
        click("nav-tokens");
        visible("token-name").sendKeys("ci-bot");
        click("token-create");
        wait.until(d -> !d.findElement(By.id("token-secret")).getAttribute("value").isEmpty());
        String secret = driver.findElement(By.id("token-secret")).getAttribute("value");
        assertThat(running.ca().tokens().authenticate(secret)).isPresent();
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.xpath(
                "//tbody[@id='token-rows']/tr[td[1][text()='ci-bot']]")));
        assertThat(driver.findElement(By.id("token-rows")).getText()).doesNotContain(secret);
        screenshot("15-tokens");
        row.findElement(By.xpath(".//button[text()='Revoke']")).click();
        click("confirm-ok");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "revoked"));
        assertThat(running.ca().tokens().authenticate(secret)).isEmpty();

        // The dashboard's chart: 26 weeks of bars.
        click("nav-dashboard");
        wait.until(d -> d.findElements(By.cssSelector("#expiry-chart rect.bar")).size() == 26);
        screenshot("16-dashboard-chart");

        // Phone width: every page fits without sideways scrolling; the nav folds behind the menu button.
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 390, "height",
                844, "deviceScaleFactor", 1, "mobile", true));
        driver.navigate().refresh();
        visible("menu");
        assertThat(driver.findElement(By.id("nav-certificates")).isDisplayed()).isFalse();
        click("menu");
        visible("nav-certificates");
        screenshot("phone-01-menu");
        Map<String, String> pages = new java.util.LinkedHashMap<>();
        pages.put("dashboard", "dash-stats");
        pages.put("certificates", "cert-rows");
        pages.put("certificates/" + serials.get(0), "cert-detail");
        pages.put("challenges", "view-challenges");
        pages.put("requests", "view-requests");
        pages.put("profiles", "profile-form");
        pages.put("audit", "audit-rows");
        pages.put("tokens", "token-rows");
        int n = 2;
        for (var p : pages.entrySet()) {
            driver.get(base + "/console/#/" + p.getKey());
            driver.navigate().refresh();
            visible("view-" + p.getKey().replaceAll("/.*", ""));
            wait.until(d -> !d.findElement(By.id(p.getValue())).getText().isEmpty()
                    || p.getValue().equals("request-rows"));
            assertNoSidewaysScroll(p.getKey());
            screenshot(String.format("phone-%02d-%s", n++, p.getKey().replaceAll("/.*", "-detail")));
        }
        click("logout");
        visible("login-token");
        assertNoSidewaysScroll("login");
        screenshot(String.format("phone-%02d-login", n));

        List<LogEntry> problems = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !e.getMessage().contains("401")).toList();
        assertThat(problems).extracting(LogEntry::getMessage).isEmpty();
    }
}
