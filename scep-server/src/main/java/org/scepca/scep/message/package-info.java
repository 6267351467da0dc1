/**
 * SCEP message layer (RFC 8894 §3): decodes signed and enveloped pkiMessages into typed requests and
 * encodes signed CertRep, GetCACert and GetNextCACert replies; no HTTP and no CA decisions live here.
 */
package org.scepca.scep.message;
