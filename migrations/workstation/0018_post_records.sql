-- A post's calls and care plans at its parent clinic's PCs (issue 17): kept
-- whole, as the registry holds them (protocol::Record as JSON), read here;
-- a post's call may be given to someone else from here, nothing more. The
-- post's own PCs keep them in home_call and care_plan as their own.
CREATE TABLE post_record (
    uid         TEXT    PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinic (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('call', 'plan')),
    body        TEXT    NOT NULL,
    received_at TEXT    NOT NULL
);
CREATE INDEX post_record_by_clinic ON post_record (clinic_id, kind);
