package org.scepca.server.cli;

import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.Locale;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;

/**
 * Registers the crypto providers once at start-up (never in a static block deep in a library).
 *
 * <p>Amazon Corretto Crypto Provider (AWS-LC) goes first when it loads: RSA signing and decryption, the floor of an
 * enrollment's cost, take about a third of the JDK's time with it. It ships native code for Linux x86-64 only; on any
 * other platform, or if its library fails to load or its self-tests fail, the JDK providers stay in charge. Setting
 * {@code SCEPCA_CRYPTO=jdk} (or {@code -Dscepca.crypto=jdk}) keeps the JDK providers deliberately.
 *
 * <p>Bouncy Castle is appended, not inserted first: it parses CMS and certificates, while RSA, AES and digests go to
 * the first provider that has them. Nothing on the SCEP hot path pins a provider by name.
 */
public final class Providers {
    private static String summary;

    private Providers() {
    }

    public static synchronized void register() {
        if (summary == null) {
            summary = installFastProvider();
        }
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    /** One line for the start-up log: which provider does RSA, and why. */
    public static synchronized String describe() {
        return "crypto: RSA by " + rsaProvider() + " (" + (summary == null ? "providers not registered" : summary) + ")";
    }

    /** The provider that a default {@code Signature.getInstance("SHA256withRSA")} resolves to. */
    public static String rsaProvider() {
        try {
            Provider p = Signature.getInstance("SHA256withRSA").getProvider();
            return p.getName() + " " + p.getVersionStr();
        } catch (java.security.NoSuchAlgorithmException e) {
            return "none";
        }
    }

    private static String installFastProvider() {
        String choice = System.getProperty("scepca.crypto", System.getenv().getOrDefault("SCEPCA_CRYPTO", "auto"))
                .strip().toLowerCase(Locale.ROOT);
        if (choice.equals("jdk")) {
            return "JDK providers chosen by SCEPCA_CRYPTO=jdk";
        }
        if (Security.getProvider("AmazonCorrettoCryptoProvider") != null) {
            return "Amazon Corretto Crypto Provider already installed";
        }
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable loading = accp.getLoadingError();
            if (loading != null) {
                return "Amazon Corretto Crypto Provider unavailable on " + platform() + ": " + loading.getClass().getSimpleName();
            }
            accp.assertHealthy();
            Security.insertProviderAt(accp, 1);
            return "Amazon Corretto Crypto Provider inserted first";
        } catch (Throwable t) {
            // NoClassDefFoundError (jar absent), UnsatisfiedLinkError (other OS/arch), RuntimeCryptoException (self-test).
            return "Amazon Corretto Crypto Provider unavailable on " + platform() + ": " + t.getClass().getSimpleName();
        }
    }

    private static String platform() {
        return System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    }
}
