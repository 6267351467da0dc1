package org.scepca.ca.events;

/**
 * Webhook figures for the dashboard, readiness detail and metrics.
 *
 * @param delivered        events delivered by this process since start
 * @param failedAttempts   attempts that failed (and were retried or gave up) since start
 * @param dead             events given up by this process since start
 * @param droppedRefusals  refusal events dropped since start (queue full or database error)
 * @param pending          events waiting in the queue now (all processes)
 * @param deadStored       dead events kept in the queue now (all processes)
 */
public record WebhookStats(long delivered, long failedAttempts, long dead, long droppedRefusals, long pending,
        long deadStored) {
}
