/**
 * Apple configuration profiles ({@code .mobileconfig}) that make a device trust our root and enroll
 * over SCEP, or over ACME with Apple's Managed Device Attestation, with a key generated on the
 * device, for manual install, Jamf Pro and Intune.
 *
 * <p>One package on purpose: the capability is small (a request record, a generator, a signer), and
 * splitting it would only spread four classes over four folders. Plists are built with dd-plist,
 * never written by hand; CMS signing uses Bouncy Castle without registering a global provider.
 */
package org.scepca.profiles;
