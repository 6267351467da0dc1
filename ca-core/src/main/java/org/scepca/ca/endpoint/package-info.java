/**
 * Enrollment endpoints: several SCEP endpoints side by side ({@code /scep}, {@code /scep/NAME}), each with its own
 * authorization, name rules, key usages, validity, key constraints, renewal rules and CA chain, configured as
 * {@code endpoint.NAME.*} keys and validated once at start-up.
 */
package org.scepca.ca.endpoint;
