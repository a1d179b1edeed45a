-- Staff sign in by IIN and password (seed 002: "the provider signs in to the
-- workstation by IIN and password"). The accounts come from the registry with
-- the organization (or with the demo clinic); a PC holds only each
-- password's argon2id hash, so staff sign in offline too.
CREATE TABLE account (
    staff_id      INTEGER PRIMARY KEY REFERENCES staff (id),
    password_hash TEXT    NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    changed_at    TEXT    NOT NULL
);

-- Failed sign-ins at this PC by the IIN typed (known or not): each try
-- after the first few waits longer (emhana_domain::access::sign_in_wait).
CREATE TABLE sign_in_failure (
    iin      TEXT    PRIMARY KEY,
    failures INTEGER NOT NULL CHECK (failures > 0),
    last_at  TEXT    NOT NULL
) WITHOUT ROWID;
