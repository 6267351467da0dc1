package org.h2.mvstore.tx;

/**
 * Finishes the transactions that H2 2.5 leaves half-committed after an unclean shutdown. It lives in H2's package
 * because the two steps it needs ({@link TransactionStore#commit(Transaction, boolean)} and
 * {@link TransactionStore#endTransaction(Transaction, boolean)}) are package-private; compiling against them makes an
 * H2 upgrade that changes them fail the build instead of the first start after a crash.
 *
 * <p>The defect (H2 2.5.252 and H2's master as of July 2026). A transaction that was killed in the middle of its
 * commit has a commit marker in its undo log; {@link TransactionStore#init} registers it as a leftover with status
 * COMMITTED, and {@link TransactionStore#endLeftoverTransactions()} calls {@link Transaction#commit()} on it to roll it
 * forward. But {@code commit()} only acts on a transaction whose previous status is "active", and COMMITTED is not:
 * the undo log is never applied and the transaction never ends. Its rows keep their uncommitted values, owned by a
 * transaction that is neither committing nor running: readers get the values from before the commit, and a writer
 * (or {@code SELECT ... FOR UPDATE}) on one of those rows loops for ever in {@code TransactionMap.set}, because
 * waiting for that transaction returns at once (its status is COMMITTED) and the row stays locked. The CA then hung
 * at start in its first CRL publication, in about 1 of 56 rounds of the crash harness.
 *
 * <p>H2 2.4 applied the undo log here (but also left the transaction open); this does both, as H2's own commit path
 * does for a running transaction.
 */
public final class LeftoverCommits {
    private LeftoverCommits() {
    }

    /**
     * Rolls forward and ends every leftover transaction with status COMMITTED. Call it right after the database opened.
     *
     * @param initListener the listener H2 gave {@link TransactionStore#init(TransactionStore.RollbackListener)} (the
     *                     database's LOB session): leftovers carry it, a session's own transaction carries that
     *                     session, so a session that happens to be inside its own commit (status COMMITTED for a
     *                     moment) is never taken for a leftover
     * @return how many there were
     */
    public static int finish(TransactionStore store, TransactionStore.RollbackListener initListener) {
        int finished = 0;
        for (Transaction t : store.getOpenTransactions()) {
            if (t.getStatus() == Transaction.STATUS_COMMITTED && t.listener == initListener) {
                store.commit(t, true); // recovery: the commit marker is already in the log
                store.endTransaction(t, true);
                finished++;
            }
        }
        return finished;
    }
}
