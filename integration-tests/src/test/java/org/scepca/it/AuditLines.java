package org.scepca.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.scepca.server.cli.AuditLog;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * Collects the audit lines ({@code op=... txid=... outcome=...}) that the server writes to its audit log, so a test can
 * assert what happened on the wire. Thread-safe: Jetty threads append while the test reads.
 */
final class AuditLines extends AppenderBase<ILoggingEvent> {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private Level previousLevel;

    static AuditLines attach() {
        AuditLines a = new AuditLines();
        Logger audit = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
        a.setContext(audit.getLoggerContext());
        a.setName("it-audit-lines");
        a.start();
        // The test classpath's logback-test.xml (from ca-core's test-jar) leaves the audit logger at WARN.
        a.previousLevel = audit.getLevel();
        audit.setLevel(Level.INFO);
        audit.addAppender(a);
        return a;
    }

    void detach() {
        Logger audit = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
        audit.detachAppender(this);
        audit.setLevel(previousLevel);
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(event.getFormattedMessage());
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines matching {@code regex} (searched within each line). */
    List<String> matching(String regex) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().filter(l -> p.matcher(l).find()).toList();
    }

    /** The first group of the first line matching {@code regex}; fails with all lines if none does. */
    String group(String regex) {
        Pattern p = Pattern.compile(regex);
        for (String l : lines) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("no audit line matches " + regex + " in:\n" + String.join("\n", lines));
    }
}
