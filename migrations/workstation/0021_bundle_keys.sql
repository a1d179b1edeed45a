-- Offline bundles are encrypted with a key this PC agrees with the registry
-- (X25519): its own private half, made when it enrolled, and the
-- registry's public half. In this file only, which is encrypted at rest.
ALTER TABLE sync_enrolment ADD COLUMN bundle_secret TEXT;
ALTER TABLE sync_enrolment ADD COLUMN registry_bundle_key TEXT;
