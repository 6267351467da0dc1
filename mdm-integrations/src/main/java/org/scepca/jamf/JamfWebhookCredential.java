package org.scepca.jamf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

import org.scepca.ca.policy.UnsafeText;

/**
 * The HTTP Basic credential Jamf Pro's webhook sends (its authentication type "Basic Authentication", RFC 7617): a
 * username and a password that can do nothing but mint a challenge on {@code POST /api/v1/jamf/scep-challenge}. Only
 * SHA-256 hashes are kept; {@link #matches} compares both hashes in constant time and always compares both, so the
 * time taken does not tell whether the username was right.
 */
public final class JamfWebhookCredential {
    /** A password Jamf stores and sends on every call: long enough that guessing it is hopeless. */
    public static final int MIN_PASSWORD_LENGTH = 16;
    static final int MAX_PASSWORD_LENGTH = 1024;
    static final int MAX_USERNAME_LENGTH = 64;

    private final String username;
    private final byte[] usernameHash;
    private final byte[] passwordHash;

    private JamfWebhookCredential(String username, byte[] usernameHash, byte[] passwordHash) {
        this.username = username;
        this.usernameHash = usernameHash;
        this.passwordHash = passwordHash;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong (never quoting the password)
     */
    public static JamfWebhookCredential of(String username, String password) {
        Objects.requireNonNull(username, "username is null");
        Objects.requireNonNull(password, "password is null");
        if (username.isEmpty() || username.length() > MAX_USERNAME_LENGTH) {
            throw new IllegalArgumentException("the username must be 1 to " + MAX_USERNAME_LENGTH + " characters");
        }
        // RFC 7617 §2: the user-id cannot contain a colon (the first colon ends it); control characters would reach
        // the audit log's actor field.
        if (username.indexOf(':') >= 0 || username.codePoints().anyMatch(UnsafeText::isUnsafe)) {
            throw new IllegalArgumentException("the username must not contain ':' or control characters");
        }
        if (password.length() < MIN_PASSWORD_LENGTH || password.length() > MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("the password must be " + MIN_PASSWORD_LENGTH + " to "
                    + MAX_PASSWORD_LENGTH + " characters");
        }
        if (password.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the password must not contain control characters");
        }
        return new JamfWebhookCredential(username, sha256(username), sha256(password));
    }

    /** The configured username: what the audit log records as the caller. */
    public String username() {
        return username;
    }

    /** Whether the presented pair is this credential; constant time in the presented values' content. */
    public boolean matches(String presentedUsername, String presentedPassword) {
        if (presentedUsername == null || presentedPassword == null) {
            return false;
        }
        boolean user = MessageDigest.isEqual(usernameHash, sha256(presentedUsername));
        boolean password = MessageDigest.isEqual(passwordHash, sha256(presentedPassword));
        return user & password;
    }

    @Override
    public String toString() {
        return "JamfWebhookCredential[" + username + ", password hidden]";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
