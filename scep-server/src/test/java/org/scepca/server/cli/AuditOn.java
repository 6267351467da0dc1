package org.scepca.server.cli;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

/**
 * For tests that read DIR/logs/audit.log: the audit logger's level is JVM-wide, and other test classes in the same JVM
 * change it (the fuzzing targets' shared CA turns it to WARN for good, so that a soak does not write millions of
 * lines). Which classes share a JVM, and in which order, is surefire's choice, so a test that needs the lines says
 * so itself.
 */
final class AuditOn {
    private AuditOn() {
    }

    static void inThisJvm() {
        ((Logger) LoggerFactory.getLogger(AuditLog.LOGGER)).setLevel(Level.INFO);
    }
}
