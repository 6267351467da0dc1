package org.scepca.it.crash;

/** The counts a round reports and the harness adds up. Every count but the acknowledged ones is a failure. */
class Figures {
    long certificatesAcknowledged;
    long certificatesLost;
    long derMismatches;
    long serialsTwice;
    /** Through the admin API or {@code scepca cert revoke}. */
    long revocationsAcknowledged;
    long revocationsLost;
    /** Certificates superseded by an acknowledged renewal (scep.supersede-on-renewal). */
    long supersededAcknowledged;
    long revocationsNotOnCrl;
    /** Revoked as superseded by an acknowledged renewal, and active again after the restart. */
    long supersededLost;
    /** Superseded but not on the CRL: renewal does not republish today (issue 11, item 3); not a durability loss. */
    long supersededNotOnCrl;
    long challengesSpentChecked;
    long challengesReused;
    long challengesMintedLost;
    long tokensLost;
    long crlProblems;
    long startFailures;
    /** The harness could not finish a round (an unexpected reply, an exception): not a pass either. */
    long roundErrors;

    void add(Figures o) {
        certificatesAcknowledged += o.certificatesAcknowledged;
        certificatesLost += o.certificatesLost;
        derMismatches += o.derMismatches;
        serialsTwice += o.serialsTwice;
        revocationsAcknowledged += o.revocationsAcknowledged;
        revocationsLost += o.revocationsLost;
        supersededAcknowledged += o.supersededAcknowledged;
        revocationsNotOnCrl += o.revocationsNotOnCrl;
        supersededLost += o.supersededLost;
        supersededNotOnCrl += o.supersededNotOnCrl;
        challengesSpentChecked += o.challengesSpentChecked;
        challengesReused += o.challengesReused;
        challengesMintedLost += o.challengesMintedLost;
        tokensLost += o.tokensLost;
        crlProblems += o.crlProblems;
        startFailures += o.startFailures;
        roundErrors += o.roundErrors;
    }

    boolean lossFree() {
        return certificatesLost + derMismatches + serialsTwice + revocationsLost + revocationsNotOnCrl + supersededLost
                + challengesReused + challengesMintedLost + tokensLost + crlProblems + startFailures + roundErrors == 0;
    }
}
