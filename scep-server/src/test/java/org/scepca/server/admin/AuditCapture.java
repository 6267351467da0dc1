package org.scepca.server.admin;

import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The audit lines a test's server writes, captured from the {@code scepca.audit} logger until {@link #close()}. */
final class AuditCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("scepca.audit");

    AuditCapture() {
        appender.start();
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
    }

    /** The captured lines of operation {@code op}. */
    List<String> lines(String op) {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.contains("op=" + op + " "))
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
