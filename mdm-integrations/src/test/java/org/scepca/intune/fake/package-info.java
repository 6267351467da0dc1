/**
 * {@link org.scepca.intune.fake.FakeIntune}: a local HTTPS stand-in for Entra ID, Graph and Intune's third-party CA
 * services that follows Microsoft's contract and asserts what clients send. Shipped in the test-jar for server tests.
 */
package org.scepca.intune.fake;
