package org.scepca.server.expiry;

import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import javax.net.ssl.SSLContext;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Sends a plain-text message through the configured relay with Jakarta Mail (Eclipse Angus): SMTP with required
 * STARTTLS (RFC 3207), implicit TLS (RFC 8314), or plain to a loopback relay only; the server's host name is checked
 * against its certificate (RFC 6125) whenever TLS is on.
 */
public final class SmtpMailer {
    private final NotifyConfig.Smtp smtp;
    private final Session session;
    private final String protocol;

    /** @param tls trust for a test relay's self-signed certificate; the JDK's trust store otherwise */
    public SmtpMailer(NotifyConfig.Smtp smtp, Optional<SSLContext> tls) {
        this.smtp = Objects.requireNonNull(smtp, "smtp is null");
        this.protocol = smtp.tls() == NotifyConfig.Tls.IMPLICIT ? "smtps" : "smtp";
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put("mail.transport.protocol", protocol);
        props.put(p + "host", smtp.host());
        props.put(p + "port", Integer.toString(smtp.port()));
        String ms = Long.toString(smtp.timeout().toMillis());
        props.put(p + "connectiontimeout", ms);
        props.put(p + "timeout", ms);
        props.put(p + "writetimeout", ms);
        props.put(p + "auth", Boolean.toString(smtp.username().isPresent()));
        if (smtp.tls() == NotifyConfig.Tls.STARTTLS) {
            // required: a relay (or a man in the middle) that does not offer STARTTLS gets nothing in clear.
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        if (smtp.tls() != NotifyConfig.Tls.NONE) {
            props.put(p + "ssl.checkserveridentity", "true");
            props.put(p + "ssl.protocols", "TLSv1.3 TLSv1.2");
            tls.ifPresent(ctx -> props.put(p + "ssl.socketFactory", ctx.getSocketFactory()));
        }
        this.session = Session.getInstance(props);
    }

    /** Sends one message to every {@code notify.smtp.to} address; throws when the relay does not accept it. */
    public void send(String subject, String body, Instant date) {
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(new InternetAddress(smtp.from(), true));
            for (String to : smtp.to()) {
                m.addRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
            }
            m.setSubject(subject, "UTF-8");
            m.setText(body, "UTF-8");
            m.setSentDate(Date.from(date));
            // RFC 3834 §5: machine-generated; autoresponders must not answer it.
            m.setHeader("Auto-Submitted", "auto-generated");
            try (Transport t = session.getTransport(protocol)) {
                t.connect(smtp.host(), smtp.port(), smtp.username().orElse(null), smtp.password().orElse(null));
                t.sendMessage(m, m.getAllRecipients());
            }
        } catch (MessagingException e) {
            throw new MailException("the SMTP relay " + smtp.host() + ":" + smtp.port() + " did not take the message: "
                    + e.getMessage(), e);
        }
    }

    /** The relay refused or could not be reached. */
    public static final class MailException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MailException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
