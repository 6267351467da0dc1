/**
 * Outbound webhooks: {@link org.scepca.ca.events.CaEvent}s (issued, renewed, revoked, refused) written to a durable
 * outbox in the same transaction as the change they report, then delivered, signed and retried, by a background
 * {@link org.scepca.ca.events.WebhookDispatcher}; never on an enrollment's thread. Schema: docs/webhooks.md.
 */
package org.scepca.ca.events;
