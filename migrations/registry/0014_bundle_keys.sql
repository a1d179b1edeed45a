-- Offline bundles are encrypted with a key each post agrees with the
-- registry (X25519): the registry's public half here, its private half in
-- its administrator's key file and never in this database; each
-- workstation's public half, sent when it enrolled.
CREATE TABLE bundle_key (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    public_key TEXT NOT NULL CHECK (public_key ~ '^[0-9a-f]{64}$'),
    made_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE workstation ADD COLUMN bundle_public_key TEXT CHECK (bundle_public_key ~ '^[0-9a-f]{64}$');
