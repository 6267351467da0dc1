package org.scepca.server.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import org.scepca.ca.material.CaDirectory;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scepca nginx-config}: prints an nginx server block that terminates TLS, requires a client certificate from
 * this CA, checks it against the CRLs that scepca keeps current, and passes the verified identity upstream. Only the
 * configuration goes to stdout, so {@code > /etc/nginx/conf.d/app.conf} works; warnings go to stderr.
 */
@Command(name = "nginx-config", mixinStandardHelpOptions = true,
        description = {"Print an nginx server block for mutual TLS with this CA's client certificates.",
                "Reload nginx after revocations (and at least every few minutes): it reads ssl_crl only on reload."})
final class NginxConfigCommand implements Callable<Integer> {
    /** What may appear unquoted in an nginx directive; anything else is quoted or refused. */
    private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_./:@+=,\\-\\[\\]*~]+");
    private static final Pattern LISTEN = Pattern.compile("(\\[[0-9A-Fa-f:.]+]:|[A-Za-z0-9.-]+:)?[0-9]{1,5}");
    private static final Pattern SERVER_NAME = Pattern.compile("_|(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--data", defaultValue = "${env:SCEPCA_DATA:-./data}", paramLabel = "DIR",
            description = "Data folder (CA, CRLs). Default: ${DEFAULT-VALUE}")
    Path data;
    @Option(names = "--server-name", required = true, paramLabel = "NAME", description = "nginx server_name, e.g. api.example.com")
    String serverName;
    @Option(names = "--listen", defaultValue = "443", paramLabel = "[ADDRESS:]PORT", description = "Default: ${DEFAULT-VALUE}")
    String listen;
    @Option(names = "--cert", defaultValue = "server-chain.pem", paramLabel = "FILE",
            description = "Server certificate + intermediate (from 'scepca cert issue-server'). Default: ${DEFAULT-VALUE}")
    Path cert;
    @Option(names = "--key", defaultValue = "server.key", paramLabel = "FILE",
            description = "Server private key. Default: ${DEFAULT-VALUE}")
    Path key;
    @Option(names = "--upstream", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "Where nginx proxies verified requests. Default: ${DEFAULT-VALUE}")
    String upstream;

    @Override
    public Integer call() {
        CaDirectory dir = new CaDirectory(data);
        if (!dir.caExists()) {
            throw new Errors.UserException("no CA in " + dir.root() + ": pass --data DIR");
        }
        if (!LISTEN.matcher(listen).matches()) {
            throw new Errors.UserException("--listen must be PORT or ADDRESS:PORT, not '" + listen + "'");
        }
        if (!SERVER_NAME.matcher(serverName).matches()) {
            throw new Errors.UserException("--server-name must be one host name, not '" + serverName + "'");
        }
        URI up;
        try {
            up = URI.create(upstream);
        } catch (IllegalArgumentException e) {
            throw new Errors.UserException("--upstream is not a URL: " + upstream);
        }
        if (up.getHost() == null || !("http".equals(up.getScheme()) || "https".equals(up.getScheme()))
                || !BARE.matcher(upstream).matches()) {
            throw new Errors.UserException("--upstream must be an http(s) URL with a host, like http://127.0.0.1:8080");
        }
        var err = spec.commandLine().getErr();
        Path certFile = cert.toAbsolutePath().normalize();
        Path keyFile = key.toAbsolutePath().normalize();
        String block = render(dir, certFile, keyFile); // refuses unusable paths before anything is printed
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            err.println("scepca: note: " + certFile + " or " + keyFile + " does not exist yet; make them with"
                    + " 'scepca cert issue-server --dns " + serverName + " --out DIR'");
        }
        if (!Files.exists(dir.rootCrl())) {
            // nginx checks a CRL for every CA in the chain (CRL_CHECK_ALL): without the root's, every client fails.
            err.println("scepca: warning: " + dir.rootCrl() + " is missing (root key offline?): nginx will reject every"
                    + " client until you run 'scepca ca root-crl --root-key FILE'");
        }
        spec.commandLine().getOut().print(block);
        spec.commandLine().getOut().flush();
        return 0;
    }

    String render(CaDirectory dir, Path certFile, Path keyFile) {
        return """
                # nginx server block for mutual TLS with scepca client certificates (scepca nginx-config).
                # Put it inside http { }, e.g. as /etc/nginx/conf.d/%1$s.conf, then: nginx -t && nginx -s reload
                #
                # Revocation: nginx reads ssl_crl only when it starts or reloads. scepca re-signs %2$s
                # on every revocation and after half of the CRL's lifetime, so reload nginx after revoking and
                # regularly in any case, e.g. from cron:  */5 * * * * nginx -s reload
                # An nginx not reloaded before the CRL's nextUpdate rejects every client ("CRL has expired").
                server {
                    listen %3$s ssl;
                    server_name %1$s;

                    # TLS server certificate + intermediate, and its key ('scepca cert issue-server').
                    ssl_certificate     %4$s;
                    ssl_certificate_key %5$s;
                    ssl_protocols       TLSv1.2 TLSv1.3;
                    ssl_prefer_server_ciphers off;
                    # Session resumption stays as nginx defaults it (no shared ssl_session_cache, no
                    # ssl_session_ticket_key): a resumed session is not checked against the CRL again, and a shared
                    # cache or a fixed ticket key would carry sessions across the reload that applies a revocation.

                    # Client certificates: only ones issued by this CA (intermediate + root), checked against the
                    # CRLs of both (nginx requires a current CRL for every CA in the chain).
                    ssl_client_certificate %6$s;
                    ssl_verify_client      on;
                    ssl_verify_depth       2;
                    ssl_crl                %2$s;

                    location / {
                        proxy_pass %7$s;
                        proxy_set_header Host              $host;
                        proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        # The verified client identity. proxy_set_header replaces any header of the same name that
                        # the client sent, so the upstream can trust these as long as only nginx can reach it.
                        # A location with its own proxy_set_header inherits none of these: repeat them there.
                        proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
                        proxy_set_header X-SSL-Client-DN     $ssl_client_s_dn;
                        proxy_set_header X-SSL-Client-Serial $ssl_client_serial;
                    }
                }
                """.formatted(serverName, value(dir.crlPem()), listen, value(certFile), value(keyFile), value(dir.chain()),
                upstream);
    }

    /** A path as an nginx argument: bare when safe, else double-quoted; refused if quoting cannot make it safe. */
    static String value(Path path) {
        String s = path.toString();
        if (BARE.matcher(s).matches()) {
            return s;
        }
        if (s.chars().anyMatch(c -> c == '"' || c == '\\' || c == '$' || c < 0x20)) {
            throw new Errors.UserException("cannot put this path into an nginx configuration: " + s);
        }
        return "\"" + s + "\"";
    }
}
