package org.scepca.server.cli;

import java.util.Optional;
import java.util.concurrent.Callable;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.ConfigEnvironment;
import org.scepca.ca.keys.Passphrase;
import org.scepca.ca.material.CaDirectory;
import org.scepca.ca.material.InitOptions;
import org.scepca.ca.pem.Pem;
import org.scepca.server.admin.AdminConfig;
import org.scepca.server.app.CaBootstrap;
import org.scepca.server.app.Running;
import org.scepca.server.app.ServerConfig;
import org.slf4j.LoggerFactory;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the SCEP server. On first start with an empty data folder, creates the CA."})
final class ServeCommand implements Callable<Integer> {
    @Mixin DataOptions data;
    @Mixin CaNaming naming;
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--port", defaultValue = "${env:SCEPCA_PORT:-8080}",
            description = "SCEP port (plain HTTP). Default: ${DEFAULT-VALUE}") int port;
    @Option(names = "--host", defaultValue = "${env:SCEPCA_HOST:-0.0.0.0}", description = "Bind address. Default: ${DEFAULT-VALUE}")
    String host;

    @Override
    public Integer call() throws Exception {
        var log = LoggerFactory.getLogger("scepca");
        log.info(Providers.describe());
        CaDirectory dir = data.directory();
        AuditLog.attach(dir);
        ConfigEnvironment environment = ConfigEnvironment.system();
        if (!environment.keys().isEmpty()) {
            log.info("Configuration keys set by the environment: {}", environment.describe());
        }
        if (!environment.unknownVariables().isEmpty()) {
            log.warn("Ignored environment variables (neither a configuration key nor one of scepca's variables; a typo?"
                    + " endpoint.NAME.* keys can only be set in the file): {}", environment.unknownVariables());
        }
        boolean existed = dir.caExists();
        Optional<java.net.URI> baseUrl = naming.baseUrl();
        Passphrase passphrase = CaBootstrap.createUnlessPresent(dir, () -> {
            var resolved = CaBootstrap.passphraseForNewCa(dir, Optional.ofNullable(data.passphraseFile));
            if (naming.given()) {
                log.info("No CA in {}: creating one named {} (RSA 4096 root, this takes a few seconds)", dir.root(),
                        naming.describe());
            } else {
                // The names are in every certificate and cannot change later: say what they will be, and how to choose.
                log.info("No CA in {}: creating one named {} (no --org or --name given; for your own, stop now, remove"
                        + " {} and start again with --org ORG --name NAME). RSA 4096 root, this takes a few seconds",
                        dir.root(), naming.describe(), dir.root());
            }
            CaBootstrap.writeConfig(dir, baseUrl);
            InitOptions d = InitOptions.defaults();
            CaBootstrap.create(dir, new InitOptions(naming.subject(null, "Root CA"), naming.subject(null, "Issuing CA"),
                    naming.subject(null, "SCEP RA"), d.rootKeyBits(), d.intermediateKeyBits(), d.raKeyBits(),
                    d.rootValidity(), d.intermediateValidity(), d.raValidity(), d.rootKeyOut())
                    .withPublicBaseUrl(baseUrl.or(() -> data.config().publicBaseUrl())), resolved.passphrase());
            if (resolved.generated()) {
                log.info("Generated the key passphrase in {} (owner-only permissions); back it up, or move it to a"
                        + " secret store and pass it with SCEPCA_PASSPHRASE", dir.generatedPassphrase());
            }
            return resolved.passphrase();
        }).orElseGet(data::passphrase);
        if (existed && (naming.given() || baseUrl.isPresent())) {
            log.warn("--org, --name and --public-base-url name a new CA: {} holds one already, so they are ignored"
                    + " (set public-base-url in {})", dir.root(), dir.configFile());
        }
        CaConfig config = data.config();
        warnAboutBaseUrl(config, dir, log);
        AdminConfig admin = AdminConfig.load(dir.configFile());
        if (admin.enabled() && admin.port() == port) {
            throw new Errors.UserException("admin.port " + admin.port() + " is the SCEP port: choose another");
        }
        if (admin.enabled() && !isLoopback(admin.host())) {
            // Allowed on purpose (a container must bind 0.0.0.0 for its published port to reach it); every API call
            // still needs a token or an admin certificate. Plain HTTP carries those tokens in clear text, though.
            log.warn("admin.host={}: the admin API and console are reachable from other hosts over plain HTTP (tokens"
                    + " are still required, and travel in clear text): expose the port only to a trusted network, or use"
                    + " admin.tls-port", admin.host());
        }
        long t0 = System.nanoTime();
        Running running = Running.start(dir, passphrase, config, ServerConfig.load(host, port, dir.configFile()), admin);
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "scepca-shutdown"));
        var root = running.ca().material().root();
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        String base = config.publicBaseUrl().map(Object::toString).orElse("http://" + shown + ":" + running.port());
        var out = spec.commandLine().getOut();
        out.println();
        out.println("scepca is running (started in " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        out.println("  SCEP URL:        " + base + "/scep");
        for (var e : running.ca().endpoints().all()) {
            if (e.isAcme()) {
                out.println("  ACME directory:  " + e.acme().get().base(e.name()) + "/directory   ("
                        + String.join(",", new java.util.TreeSet<>(e.acme().get().challenges())) + ")");
            } else if (!e.isDefault()) {
                out.println("  SCEP endpoint:   " + base + e.path() + "   (" + e.authorization().stream()
                        .map(org.scepca.ca.endpoint.Authorization::id).sorted()
                        .collect(java.util.stream.Collectors.joining(",")) + ")");
            }
        }
        if (running.tlsPort() > 0) {
            String httpsBase = "https://" + config.publicBaseUrl().map(java.net.URI::getHost).orElse(shown) + ":"
                    + running.tlsPort();
            out.println("  HTTPS:           " + httpsBase + "/scep");
            for (var e : running.ca().endpoints().all()) {
                if (e.est()) {
                    out.println("  EST:             " + httpsBase + e.estPath() + "/");
                }
            }
        }
        out.println("  Root CA SHA-256: " + Pem.fingerprint("SHA-256", root));
        out.println("  Root CA SHA-1:   " + Pem.fingerprint("SHA-1", root));
        out.println("  Root CA:         " + base + "/ca/root.pem   CRL: " + base + "/crl/intermediate.crl");
        out.println("  OCSP responder:  " + base + "/ocsp");
        out.println("  Data folder:     " + dir.root());
        out.println("  Store:           " + config.database().url()
                .map(u -> "PostgreSQL " + org.scepca.ca.config.DatabaseConfig.redact(u) + " as " + config.database().user())
                .orElse("embedded H2 in " + dir.databaseDir()));
        out.println("  Create a one-time challenge:  ./scepca challenge create --data " + dir.root());
        out.println("  Make a device profile:        ./scepca profile --data " + dir.root() + " --url " + base
                + "/scep --out device.mobileconfig");
        if (running.adminPort() > 0) {
            out.println("  Admin console:   http://" + adminHost(admin.host()) + ":" + running.adminPort() + "/console/"
                    + (running.adminTlsPort() > 0 ? "   mTLS: https://" + adminHost(admin.host()) + ":"
                            + running.adminTlsPort() + "/console/" : ""));
            out.println("  Admin token:     ./scepca admin token create --data " + dir.root() + " --name NAME");
        }
        out.println();
        out.flush();
        running.join();
        return 0;
    }

    /**
     * Certificates carry the CRL, OCSP and CA-issuer URLs built from public-base-url when they are issued: without it
     * relying parties cannot check revocation at all, and with https:// they must first validate the CA's own TLS
     * server certificate, whose revocation they check over the same URLs (RFC 5280 §4.2.1.13, §4.2.2.1: CRLs and
     * OCSP answers are signed and are served over plain HTTP).
     */
    static void warnAboutBaseUrl(CaConfig config, CaDirectory dir, org.slf4j.Logger log) {
        if (config.publicBaseUrl().isEmpty()) {
            log.warn("public-base-url is not set in {}: certificates issued now carry no CRL or OCSP URL, and keep"
                    + " none. Set it to the http:// URL devices reach this server at, then restart", dir.configFile());
        } else if ("https".equalsIgnoreCase(config.publicBaseUrl().get().getScheme())) {
            log.warn("public-base-url is https ({}): CRL and OCSP URLs over TLS are circular for a relying party (it must"
                    + " check the TLS server's certificate first) and many clients do not follow them; use http://"
                    + " (CRLs and OCSP answers are signed)", config.publicBaseUrl().get());
        }
    }

    /** A loopback literal or localhost; a name is never resolved here. */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    private static String adminHost(String h) {
        return h.equals("0.0.0.0") || h.equals("::") ? "localhost" : h;
    }
}
