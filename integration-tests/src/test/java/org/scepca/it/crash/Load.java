package org.scepca.it.crash;

import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The traffic of one round: N device threads (enroll with a one-time challenge from the admin API, revoke through
 * the API, renew, try a spent challenge again) and one operator thread using the CLI beside the running server
 * (challenge create, cert revoke: H2 AUTO_SERVER). Every acknowledgement goes into the {@link Ledger}; a request
 * whose answer never came marks its subject as unknown, never as acknowledged.
 */
final class Load {
    /** What the load saw while the server ran (refusals it should not have met, transport errors). */
    static final class Counts {
        final AtomicLong certificates = new AtomicLong();
        final AtomicLong revocations = new AtomicLong();
        final AtomicLong renewals = new AtomicLong();
        final AtomicLong challengesMinted = new AtomicLong();
        final AtomicLong reuseRefused = new AtomicLong();
        final AtomicLong reuseAccepted = new AtomicLong();
        final AtomicLong unexpectedRefusals = new AtomicLong();
        final AtomicLong transportErrors = new AtomicLong();
        final AtomicLong cliCalls = new AtomicLong();
        final Queue<String> samples = new ConcurrentLinkedQueue<>();

        void sample(String s) {
            if (samples.size() < 5) {
                samples.add(s);
            }
        }
    }

    private final Ledger ledger;
    private final int round;
    private final String lineageName;
    private final AdminClient admin;
    private final ScepDevice device;
    private final Scepca scepca;
    private final java.nio.file.Path data;
    private final KeyPair[] keys;
    private final int clients;
    private final long seed;
    final Counts counts = new Counts();
    private final Queue<Ledger.Challenge> cliChallenges = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    Load(Ledger ledger, int round, String lineageName, AdminClient admin, ScepDevice device, Scepca scepca,
            java.nio.file.Path data, KeyPair[] keys, int clients, long seed) {
        this.ledger = ledger;
        this.round = round;
        this.lineageName = lineageName;
        this.admin = admin;
        this.device = device;
        this.scepca = scepca;
        this.data = data;
        this.keys = keys;
        this.clients = clients;
        this.seed = seed;
    }

    void start() {
        for (int i = 0; i < clients; i++) {
            Random random = new Random(seed * 31 + i);
            threads.add(started(new Thread(() -> devices(random), "crash-device-" + i)));
        }
        Random cliRandom = new Random(seed * 31 + 1000);
        threads.add(started(new Thread(() -> operator(cliRandom), "crash-cli")));
    }

    private static Thread started(Thread t) {
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** No thread starts a new operation after this; those in flight finish or fail. */
    void stop() {
        stop = true;
    }

    void join() throws InterruptedException {
        stop();
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(120).toMillis());
        }
    }

    private void devices(Random random) {
        while (!stop) {
            int dice = random.nextInt(100);
            try {
                if (dice < 60) {
                    enroll(random);
                } else if (dice < 75) {
                    revokeThroughApi(random);
                } else if (dice < 88) {
                    renew(random);
                } else {
                    reuseSpentChallenge(random);
                }
            } catch (IOException e) {
                counts.transportErrors.incrementAndGet();
                if (!stop) {
                    counts.sample("while the server ran: " + e);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                counts.transportErrors.incrementAndGet();
                counts.sample("client error: " + e);
            }
        }
    }

    private String subject() {
        return "CN=crash-" + lineageName + "-r" + round + "-" + sequence.incrementAndGet() + ",O=scepca crash harness";
    }

    private KeyPair key(Random random) {
        return keys[random.nextInt(keys.length)];
    }

    private void enroll(Random random) throws IOException, InterruptedException {
        Ledger.Challenge challenge = cliChallenges.poll();
        if (challenge == null) {
            AdminClient.Minted m = admin.createChallenge("crash-r" + round);
            challenge = ledger.minted(m.id(), m.secret(), "api", round);
            counts.challengesMinted.incrementAndGet();
        }
        challenge.state = Ledger.ChallengeState.UNKNOWN;
        KeyPair k = key(random);
        String subject = subject();
        ScepDevice.Reply reply = device.enroll(k, subject, challenge.secret);
        if (reply.success()) {
            record(reply, k, subject, "enroll(" + challenge.via + " challenge)");
            ledger.spent(challenge);
        } else {
            ledger.replied();
            counts.unexpectedRefusals.incrementAndGet();
            counts.sample("fresh " + challenge.via + " challenge refused: " + reply.status() + " failInfo " + reply.failInfo());
        }
    }

    private void record(ScepDevice.Reply reply, KeyPair k, String subject, String via) {
        try {
            ledger.issued(new Ledger.Issued(reply.certificate().getSerialNumber(), reply.certificate().getEncoded(), k,
                    reply.certificate(), subject, round, System.nanoTime(), via));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        counts.certificates.incrementAndGet();
    }

    private void revokeThroughApi(Random random) throws IOException, InterruptedException {
        Optional<Ledger.Issued> target = ledger.takeActive(random);
        if (target.isEmpty()) {
            enroll(random);
            return;
        }
        BigInteger serial = target.get().serial();
        ledger.statusUnknown(serial);
        int status = admin.revoke(target.get().serialHex(), "keyCompromise");
        if (status == 200) {
            ledger.revoked(new Ledger.Revocation(serial, "api", round, System.nanoTime(), true));
            counts.revocations.incrementAndGet();
        } else {
            ledger.replied();
            counts.unexpectedRefusals.incrementAndGet();
            counts.sample("revoke of acknowledged " + target.get().serialHex() + ": HTTP " + status);
        }
    }

    private void renew(Random random) throws IOException, InterruptedException {
        Optional<Ledger.Issued> target = ledger.takeActive(random);
        if (target.isEmpty()) {
            enroll(random);
            return;
        }
        Ledger.Issued old = target.get();
        KeyPair k = key(random);
        while (keys.length > 1 && k == old.keys()) {
            k = key(random);
        }
        ledger.statusUnknown(old.serial());
        ScepDevice.Reply reply = device.renew(k, old.subject(), old.certificate(), old.keys().getPrivate());
        if (reply.success()) {
            record(reply, k, old.subject(), "renewal of " + old.serialHex());
            // scep.supersede-on-renewal (default true): the renewed certificate is revoked as superseded.
            ledger.revoked(new Ledger.Revocation(old.serial(), "renewal", round, System.nanoTime(), false));
            counts.renewals.incrementAndGet();
        } else {
            ledger.replied();
            counts.unexpectedRefusals.incrementAndGet();
            counts.sample("renewal of " + old.serialHex() + " refused: failInfo " + reply.failInfo());
        }
    }

    private void reuseSpentChallenge(Random random) throws IOException, InterruptedException {
        List<Ledger.Challenge> spent = ledger.challenges(Ledger.ChallengeState.SPENT);
        if (spent.isEmpty()) {
            enroll(random);
            return;
        }
        Ledger.Challenge c = spent.get(random.nextInt(spent.size()));
        KeyPair k = key(random);
        String subject = subject();
        ScepDevice.Reply reply = device.enroll(k, subject, c.secret);
        if (reply.success()) {
            record(reply, k, subject, "REUSE of spent challenge " + c.id);
            counts.reuseAccepted.incrementAndGet();
            counts.sample("spent challenge " + c.id + " (" + c.via + ", round " + c.round + ") enrolled again");
        } else {
            ledger.replied();
            counts.reuseRefused.incrementAndGet();
        }
    }

    /** An operator at the console beside the running server: `scepca challenge create` and `scepca cert revoke`. */
    private void operator(Random random) {
        int n = 0;
        while (!stop) {
            n++;
            if (n % 2 == 1) {
                Scepca.CliResult r = scepca.cli(Duration.ofSeconds(60), "challenge", "create", "--data", data.toString(),
                        "--ttl", "24h", "--note", "crash-cli-r" + round);
                counts.cliCalls.incrementAndGet();
                if (r.ok() && !r.field("id").isEmpty()) {
                    cliChallenges.add(ledger.minted(r.field("id"), r.field("challenge"), "cli", round));
                    counts.challengesMinted.incrementAndGet();
                } else if (!stop) {
                    counts.sample("cli challenge create: exit " + r.exitCode() + ": " + r.printed());
                }
            } else {
                Optional<Ledger.Issued> target = ledger.takeActive(random);
                if (target.isPresent()) {
                    ledger.statusUnknown(target.get().serial());
                    Scepca.CliResult r = scepca.cli(Duration.ofSeconds(60), "cert", "revoke", "--data", data.toString(),
                            target.get().serialHex(), "--reason", "cessationOfOperation");
                    counts.cliCalls.incrementAndGet();
                    if (r.ok() && r.out().contains("revoked " + target.get().serialHex())) {
                        ledger.revoked(new Ledger.Revocation(target.get().serial(), "cli", round, System.nanoTime(), true));
                        counts.revocations.incrementAndGet();
                    } else if (!stop) {
                        counts.sample("cli cert revoke " + target.get().serialHex() + ": exit " + r.exitCode() + ": "
                                + r.printed());
                    }
                }
            }
            try {
                Thread.sleep(200 + random.nextInt(400));
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
