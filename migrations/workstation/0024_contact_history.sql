-- A person's contact details as they changed (issue 21, keeping a person's
-- data current): changed here by a member of staff (and sent to the
-- registry as an op), or brought by the registry from another PC.
CREATE TABLE person_contact_history (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    -- address, phone
    field      TEXT NOT NULL,
    before     TEXT CHECK (before IS NULL OR json_valid(before)),
    after      TEXT CHECK (after IS NULL OR json_valid(after)),
    -- who changed it here; NULL: it came from the registry
    staff_id   INTEGER REFERENCES staff (id),
    changed_at TEXT NOT NULL
);
CREATE INDEX person_contact_history_by_person ON person_contact_history (person_id);
