-- Enrollment endpoints and device identity (issue 12). Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.

-- A one-time challenge belongs to one enrollment endpoint (/scep is 'default', /scep/NAME is NAME) and is good only
-- there; 'source' says who minted it (an operator through the CLI/API/console, or Jamf Pro's SCEPChallenge webhook),
-- because an endpoint can accept one kind and not the other. Jamf's event names the device the challenge is for: the
-- endpoint's subject/SAN template then requires exactly that serial number and UDID.
ALTER TABLE challenges ADD COLUMN endpoint VARCHAR(32) DEFAULT 'default' NOT NULL;
ALTER TABLE challenges ADD COLUMN source VARCHAR(16) DEFAULT 'admin' NOT NULL;
ALTER TABLE challenges ADD COLUMN device_serial VARCHAR(64);
ALTER TABLE challenges ADD COLUMN device_udid VARCHAR(64);

-- Whom each certificate was issued for. NULL for certificates issued before this migration (endpoint: the default)
-- and for those the CLI makes (server, admin, profile signing).
ALTER TABLE certificates ADD COLUMN endpoint VARCHAR(32);
ALTER TABLE certificates ADD COLUMN challenge_id VARCHAR(36);
ALTER TABLE certificates ADD COLUMN device_note VARCHAR(256);
ALTER TABLE certificates ADD COLUMN device_serial VARCHAR(64);
ALTER TABLE certificates ADD COLUMN device_udid VARCHAR(64);
ALTER TABLE certificates ADD COLUMN intune_device_id VARCHAR(64);
-- Exact look-ups by device (the API's ?device=, the Jamf device sync); stored upper-case (serials, UDIDs) and
-- lower-case (Intune's GUIDs) so that one comparison per column is enough.
CREATE INDEX certificates_device_serial_idx ON certificates (device_serial);
CREATE INDEX certificates_device_udid_idx ON certificates (device_udid);
CREATE INDEX certificates_intune_device_idx ON certificates (intune_device_id);
-- The free-text search also finds the device fields.
ALTER TABLE certificates ALTER COLUMN search_text SET DATA TYPE VARCHAR(10000);

-- A pending request is approved under the policy of the endpoint it came to, for the device its challenge named.
ALTER TABLE requests ADD COLUMN endpoint VARCHAR(32);
ALTER TABLE requests ADD COLUMN challenge_id VARCHAR(36);
