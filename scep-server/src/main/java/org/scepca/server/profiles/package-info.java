/**
 * Enrollment profiles wired to the CA: builds {@code .mobileconfig} files and Intune sheets from our root, the
 * certificate GetCACert returns and a challenge minted for the profile, and signs them with a profile-signing
 * identity issued by our intermediate. The CLI ({@code scepca profile}) and the HTTP download call {@link
 * org.scepca.server.profiles.ProfileService}; the plist work itself is in {@code mdm-profiles}.
 */
package org.scepca.server.profiles;
