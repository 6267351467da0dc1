-- device-attest-01 (issue 15): the devices an ACME endpoint lets enroll when its policy is the allow-list rather
-- than "any device Apple attests". An entry is a serial number or a UDID, stored upper-case (as certificates'
-- device_serial and device_udid are since V5), so that one exact comparison finds it; an attested device is let in
-- when its serial number or its UDID is listed for the endpoint. Shared by every replica: the list is data, not
-- configuration. Portable SQL: H2 (MODE=PostgreSQL) and PostgreSQL alike.
CREATE TABLE acme_device_allowlist (
    endpoint  VARCHAR(64) NOT NULL,
    device_id VARCHAR(64) NOT NULL,
    added_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    added_by  VARCHAR(128) NOT NULL,
    CONSTRAINT acme_device_allowlist_pk PRIMARY KEY (endpoint, device_id)
);
