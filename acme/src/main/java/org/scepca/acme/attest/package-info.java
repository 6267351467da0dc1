/**
 * device-attest-01 (draft-ietf-acme-device-attest, Apple Managed Device Attestation): verification of Apple's
 * attestation object against the pinned Apple Enterprise Attestation Root CA, and the per-endpoint device policy
 * (any attested device, or only those on the allow-list kept in the database).
 */
package org.scepca.acme.attest;
