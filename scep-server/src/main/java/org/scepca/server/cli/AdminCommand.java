package org.scepca.server.cli;

import java.time.Instant;
import java.util.concurrent.Callable;

import org.scepca.ca.CaReader;
import org.scepca.ca.CertificateAuthority;
import org.scepca.ca.store.TokenRecord;
import org.scepca.ca.tokens.AdminRole;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "admin", mixinStandardHelpOptions = true, description = "Access to the admin API and web console.",
        subcommands = {AdminCommand.Token.class, AdminCertCommand.class})
final class AdminCommand {

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Bearer tokens for the admin API and console (stored hashed; shown once).",
            subcommands = {Token.Create.class, Token.ListCmd.class, Token.Revoke.class})
    static final class Token {

        @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token and print it once.")
        static final class Create implements Callable<Integer> {
            @Mixin DataOptions data;
            @Spec picocli.CommandLine.Model.CommandSpec spec;
            @Option(names = "--name", required = true, description = "Who or what uses it (letters, digits, . _ @ -)")
            String name;
            @Option(names = "--role", defaultValue = "admin", paramLabel = "ROLE", description = "admin (read and change), viewer (read only) or enroller (mint challenges only: for an MDM webhook)")
            String role;
            @Option(names = "--quiet", description = "Print the token only") boolean quiet;

            @Override
            public Integer call() {
                AdminRole r = AdminRole.parse(role);
                try (CertificateAuthority ca = data.open()) {
                    var minted = ca.tokens().create(name, r);
                    var out = spec.commandLine().getOut();
                    if (quiet) {
                        out.println(minted.token());
                    } else {
                        out.println("token: " + minted.token());
                        out.println("id:    " + minted.record().id());
                        out.println("name:  " + minted.record().name() + " (" + r.id() + ")");
                        out.println("Shown once: store it in a password manager. Use it as 'Authorization: Bearer <token>'"
                                + " or paste it into the console's login.");
                    }
                    AuditLog.cli("admin-token-create").token("id", minted.record().id())
                            .token("name", minted.record().name()).token("role", r.id()).token("outcome", "created")
                            .token("serial", "-").text("subject", "-").token("device", "-").log();
                }
                return 0;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never the tokens themselves).")
        static final class ListCmd implements Callable<Integer>, ReadOnly {
            @Mixin DataOptions data;
            @Spec picocli.CommandLine.Model.CommandSpec spec;
            @Option(names = "--json", description = "Print a JSON array instead of a table") boolean json;

            @Override
            public Integer call() {
                try (CaReader ca = data.read()) {
                    var out = spec.commandLine().getOut();
                    if (json) {
                        JsonOutput.print(out, ca.tokens().list().stream().map(TokenView::of).toList());
                        return 0;
                    }
                    out.printf("%-36s  %-20s  %-6s  %-20s  %-20s  %s%n", "ID", "NAME", "ROLE", "CREATED", "LAST USED", "STATUS");
                    for (TokenRecord t : ca.tokens().list()) {
                        out.printf("%-36s  %-20s  %-6s  %-20s  %-20s  %s%n", t.id(), t.name(), t.role().id(),
                                seconds(t.createdAt()), t.lastUsedAt().map(AdminCommand::seconds).orElse("never"),
                                t.revokedAt().map(x -> "revoked " + seconds(x)).orElse("active"));
                    }
                }
                return 0;
            }
        }

        @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by id (or by name if unique).")
        static final class Revoke implements Callable<Integer> {
            @Mixin DataOptions data;
            @Spec picocli.CommandLine.Model.CommandSpec spec;
            @Parameters(paramLabel = "ID_OR_NAME", description = "The token's id, or its name when no other token has it")
            String idOrName;

            @Override
            public Integer call() {
                try (CertificateAuthority ca = data.open()) {
                    TokenRecord t = ca.tokens().revoke(idOrName);
                    spec.commandLine().getOut().println("revoked token " + t.id() + " (" + t.name() + ")");
                    AuditLog.cli("admin-token-revoke").token("id", t.id()).token("name", t.name())
                            .token("outcome", "revoked").token("serial", "-").text("subject", "-").token("device", "-").log();
                }
                return 0;
            }
        }
    }

    /** A token in {@code admin token list --json}: never the token itself (only its hash is stored). */
    record TokenView(String id, String name, String role, String createdAt, String lastUsedAt, String revokedAt,
            String status) {
        static TokenView of(TokenRecord t) {
            return new TokenView(t.id(), t.name(), t.role().id(), t.createdAt().toString(),
                    t.lastUsedAt().map(Instant::toString).orElse(null), t.revokedAt().map(Instant::toString).orElse(null),
                    t.revokedAt().isPresent() ? "revoked" : "active");
        }
    }

    static String seconds(Instant t) {
        return t.toString().substring(0, 19) + "Z";
    }
}
