package org.scepca.ca.material;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Where everything lives under the data folder. One place, so the CLI, the server and the docs agree. */
public record CaDirectory(Path root, Path crlDir) {
    public CaDirectory {
        Objects.requireNonNull(root, "root is null");
        root = root.toAbsolutePath().normalize();
        crlDir = crlDir == null ? root.resolve("crl") : crlDir.toAbsolutePath().normalize();
    }

    /** The data folder with the CRL copies for relying parties in its {@code crl/} folder. */
    public CaDirectory(Path root) {
        this(root, null);
    }

    /**
     * The same folder with the CRL copies written elsewhere ({@code crl.dir}): the data folder may then be mounted
     * read-only, as replicas sharing one CA do.
     */
    public CaDirectory withCrlDir(Path dir) {
        return new CaDirectory(root, dir);
    }

    public Path caDir() { return root.resolve("ca"); }
    public Path rootCert() { return caDir().resolve("root.pem"); }
    public Path rootKey() { return caDir().resolve("root.p12"); }
    public Path intermediateCert() { return caDir().resolve("intermediate.pem"); }
    public Path intermediateKey() { return caDir().resolve("intermediate.p12"); }
    public Path raCert() { return caDir().resolve("ra.pem"); }
    public Path raKey() { return caDir().resolve("ra.p12"); }
    /** Key and certificate that sign configuration profiles; made on first use, encrypted like the CA keys. */
    public Path profileSigningKey() { return caDir().resolve("profile-signing.p12"); }
    public Path chain() { return caDir().resolve("chain.pem"); }
    /** Delegated OCSP responder key and certificate (RFC 6960 §4.2.2.2); made and renewed by the server. */
    public Path ocspKey() { return caDir().resolve("ocsp.p12"); }
    public Path nextDir() { return caDir().resolve("next"); }
    public Path nextIntermediateCert() { return nextDir().resolve("intermediate.pem"); }
    public Path nextIntermediateKey() { return nextDir().resolve("intermediate.p12"); }
    public Path nextRaCert() { return nextDir().resolve("ra.pem"); }
    public Path nextRaKey() { return nextDir().resolve("ra.p12"); }
    /** Where this process writes the CRLs for relying parties (nginx): {@code crl/}, or {@code crl.dir}. */
    public Path crlDir() { return crlDir; }
    /** DER CRL of the issuing CA, served over HTTP and SCEP GetCRL. */
    public Path intermediateCrl() { return crlDir().resolve("intermediate.crl"); }
    /** DER CRL of the root (covers the intermediate). */
    public Path rootCrl() { return crlDir().resolve("root.crl"); }
    /** Both CRLs as PEM: what nginx's {@code ssl_crl} wants (it checks every CA in the chain). */
    public Path crlPem() { return crlDir().resolve("crl.pem"); }
    public Path databaseDir() { return root.resolve("db"); }
    public Path secretsDir() { return root.resolve("secrets"); }
    /** The generated passphrase written on first start of the server (owner-only). */
    public Path generatedPassphrase() { return secretsDir().resolve("passphrase"); }
    public Path configFile() { return root.resolve("scepca.properties"); }

    public boolean caExists() {
        return Files.exists(intermediateCert()) || Files.exists(intermediateKey());
    }
}
