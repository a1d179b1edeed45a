-- Staff accounts (seed 002: "the provider signs in to the workstation by IIN
-- and password"). The registry keeps one per member of a clinic's staff and
-- hands them to the clinic's workstations with the organization, so staff
-- sign in at any PC of the clinic, offline too. Only the argon2id hash of a
-- password is kept, here and on the PCs; a disabled account is refused at
-- every PC from its next sync.
CREATE TABLE account (
    staff_id      bigint      PRIMARY KEY REFERENCES staff (id),
    password_hash text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled      boolean     NOT NULL DEFAULT false,
    changed_at    timestamptz NOT NULL,
    -- the IIN of the member of staff who set it; NULL: the registry's administrator, by command
    changed_by    text        CHECK (changed_by ~ '^[0-9]{12}$')
);
