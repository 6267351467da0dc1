package org.scepca.it.crash;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the server acknowledged to the harness's clients on one data folder, across all its rounds: a
 * certificate from a SUCCESS CertRep, a 2xx (or CLI exit 0) revocation, a minted challenge, a challenge spent by a
 * SUCCESS. After each restart every entry must still hold. Operations whose outcome the client never learnt (the
 * server died first) are kept apart as unknown: either outcome is then allowed. Thread-safe.
 */
final class Ledger {
    /** A certificate a client holds. {@code ackNanos} is when its CertRep was read (System.nanoTime). */
    record Issued(BigInteger serial, byte[] der, KeyPair keys, X509Certificate certificate, String subject, int round,
            long ackNanos, String via) {
        String serialHex() {
            return serial.toString(16);
        }
    }

    enum ChallengeState {
        /** Minted (API 201 / CLI exit 0), not yet sent: must stay usable. */
        MINTED,
        /** Sent in an enrollment whose answer never came: spent or not, both are fine. */
        UNKNOWN,
        /** A SUCCESS CertRep consumed it: must never enroll again. */
        SPENT
    }

    static final class Challenge {
        final String id;
        final String secret;
        final String via;
        final int round;
        volatile ChallengeState state = ChallengeState.MINTED;
        volatile long spentNanos;

        Challenge(String id, String secret, String via, int round) {
            this.id = id;
            this.secret = secret;
            this.via = via;
            this.round = round;
        }
    }

    /** A revocation the server acknowledged: {@code explicit} API/CLI, else the supersession by a renewal. */
    record Revocation(BigInteger serial, String via, int round, long ackNanos, boolean explicit) {
    }

    private final Map<BigInteger, List<Issued>> issued = new ConcurrentHashMap<>();
    private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
    private final Map<BigInteger, Revocation> revocations = new ConcurrentHashMap<>();
    /** Certificates not revoked and not being revoked or renewed: what revocations and renewals pick from. */
    private final List<Issued> active = new ArrayList<>();
    /** Serials whose revocation or renewal outcome is unknown: their status may be either. */
    private final Map<BigInteger, Boolean> statusUnknown = new ConcurrentHashMap<>();
    private final AtomicLong lastReply = new AtomicLong(System.nanoTime());
    private volatile String token;

    void replied() {
        lastReply.accumulateAndGet(System.nanoTime(), Math::max);
    }

    long lastReplyNanos() {
        return lastReply.get();
    }

    String token() {
        return token;
    }

    void token(String t) {
        token = t;
    }

    void issued(Issued i) {
        issued.computeIfAbsent(i.serial(), s -> java.util.Collections.synchronizedList(new ArrayList<>())).add(i);
        synchronized (active) {
            active.add(i);
        }
        replied();
    }

    /** Removes and returns a random active certificate, for a revocation or renewal. */
    Optional<Issued> takeActive(Random random) {
        synchronized (active) {
            return active.isEmpty() ? Optional.empty() : Optional.of(active.remove(random.nextInt(active.size())));
        }
    }

    void putBack(Issued i) {
        synchronized (active) {
            active.add(i);
        }
    }

    void revoked(Revocation r) {
        revocations.put(r.serial(), r);
        statusUnknown.remove(r.serial());
        replied();
    }

    void statusUnknown(BigInteger serial) {
        statusUnknown.put(serial, Boolean.TRUE);
    }

    boolean isStatusUnknown(BigInteger serial) {
        return statusUnknown.containsKey(serial);
    }

    Challenge minted(String id, String secret, String via, int round) {
        Challenge c = new Challenge(id, secret, via, round);
        challenges.put(id, c);
        replied();
        return c;
    }

    void spent(Challenge c) {
        c.spentNanos = System.nanoTime();
        c.state = ChallengeState.SPENT;
    }

    List<Issued> issued() {
        List<Issued> all = new ArrayList<>();
        issued.values().forEach(l -> {
            synchronized (l) {
                all.addAll(l);
            }
        });
        return all;
    }

    /** When the first certificate read after {@code nanos} (System.nanoTime) was read, if any came since. */
    Optional<Long> firstIssuedAfter(long nanos) {
        return issued().stream().map(Issued::ackNanos).filter(t -> t > nanos).min(Long::compare);
    }

    /** When the last certificate so far was read. */
    Optional<Long> lastIssuedNanos() {
        return issued().stream().map(Issued::ackNanos).max(Long::compare);
    }

    /** Certificates read at or after {@code nanos}. */
    long issuedSince(long nanos) {
        return issued().stream().filter(i -> i.ackNanos() >= nanos).count();
    }

    /** Serials that came back in two different SUCCESS replies with different certificates. */
    List<BigInteger> serialsIssuedTwice() {
        List<BigInteger> twice = new ArrayList<>();
        issued.forEach((s, l) -> {
            synchronized (l) {
                if (l.stream().map(i -> java.util.HexFormat.of().formatHex(i.der())).distinct().count() > 1) {
                    twice.add(s);
                }
            }
        });
        return twice;
    }

    List<Revocation> revocations() {
        return List.copyOf(revocations.values());
    }

    List<Challenge> challenges() {
        return List.copyOf(challenges.values());
    }

    List<Challenge> challenges(ChallengeState state) {
        return challenges.values().stream().filter(c -> c.state == state).toList();
    }
}
