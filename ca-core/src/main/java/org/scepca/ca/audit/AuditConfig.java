package org.scepca.ca.audit;

import java.util.Properties;
import java.util.Set;

import org.scepca.ca.config.CaConfig;
import org.scepca.ca.config.CaConfig.InvalidConfigException;

/**
 * The {@code audit.*} keys (a family CaConfig delegates): how long the searchable trail ({@code audit_events}) keeps
 * a row. The log files are not affected; rotate them with the logging configuration.
 *
 * @param retentionDays rows older than this are purged once a day by the server
 */
public record AuditConfig(int retentionDays) {
    public static final Set<String> KEYS = Set.of("audit.retention-days");
    public static final int DEFAULT_RETENTION_DAYS = 365;
    public static final int MAX_RETENTION_DAYS = 36500;

    public AuditConfig {
        if (retentionDays < 1 || retentionDays > MAX_RETENTION_DAYS) {
            throw new InvalidConfigException("audit.retention-days must be a whole number from 1 to "
                    + MAX_RETENTION_DAYS + ", not " + retentionDays);
        }
    }

    public static AuditConfig defaults() {
        return new AuditConfig(DEFAULT_RETENTION_DAYS);
    }

    /** From the {@code audit.*} keys; an unknown key of the family is an error naming it. */
    public static AuditConfig from(Properties p) {
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("audit.") && !KEYS.contains(k)) {
                throw new InvalidConfigException("unknown configuration key '" + k + "'; known audit keys: "
                        + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        return new AuditConfig(CaConfig.intValue(p, "audit.retention-days", DEFAULT_RETENTION_DAYS, 1,
                MAX_RETENTION_DAYS));
    }
}
