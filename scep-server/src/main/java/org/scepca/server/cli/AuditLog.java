package org.scepca.server.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.scepca.ca.audit.AuditLine;
import org.scepca.ca.material.CaDirectory;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;

/**
 * The audit trail: one line per enrollment, renewal, revocation and admin change, on the console and appended to
 * DIR/logs/audit.log, whichever process (server or CLI) made the change.
 */
public final class AuditLog {
    public static final String LOGGER = AuditLine.LOGGER;

    private AuditLog() {
    }

    /** An audit line for a CLI command: actor "cli:USER", endpoint cli, no transaction. */
    public static AuditLine cli(String op) {
        return AuditLine.op(op).token("actor", "cli:" + System.getProperty("user.name", "?")).token("endpoint", "cli")
                .token("txid", "-");
    }

    public static synchronized void attach(CaDirectory dir) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger audit = ctx.getLogger(LOGGER);
        Path file = dir.root().resolve("logs/audit.log");
        if (audit.getAppender(file.toString()) != null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            return; // console audit still works
        }
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> app = new FileAppender<>();
        app.setName(file.toString());
        app.setContext(ctx);
        app.setFile(file.toString());
        app.setAppend(true);
        app.setEncoder(enc);
        app.start();
        audit.addAppender(app);
    }
}
