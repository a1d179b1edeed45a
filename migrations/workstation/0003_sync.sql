-- Sync with the central registry: the enrolment, the sync state (cursor and
-- hybrid logical clock), and the outbox of ops made here, each with its
-- truthful state: local (not sent), sent (no answer yet), confirmed, rejected.

-- The registry this workstation is enrolled with. Its credential is in the
-- OS keyring, never here.
CREATE TABLE sync_enrolment (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    registry_url   TEXT NOT NULL,
    workstation_id TEXT NOT NULL,
    clinic_bin     TEXT NOT NULL CHECK (length(clinic_bin) = 12),
    enrolled_at    TEXT NOT NULL
);

CREATE TABLE sync_state (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    -- the registry's cursor after the last pull applied (in the same transaction)
    cursor              TEXT,
    -- the last hybrid logical clock stamp given to an op
    hlc_wall_ms         INTEGER NOT NULL DEFAULT 0,
    hlc_counter         INTEGER NOT NULL DEFAULT 0,
    -- persons the first sync has applied so far, and how many the registry said were left
    first_sync_applied  INTEGER NOT NULL DEFAULT 0,
    first_sync_remaining INTEGER,
    first_sync_done_at  TEXT,
    last_push_at        TEXT,
    last_pull_at        TEXT
);
INSERT INTO sync_state (id) VALUES (1);

CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL CHECK (kind IN ('attach', 'detach', 'book', 'cancel_booking')),
    -- stamped when made: who, when, the clock stamp, and the op's body as JSON
    -- NULL when no staff member was named
    actor_iin      TEXT,
    made_at        TEXT    NOT NULL,
    hlc_wall_ms    INTEGER NOT NULL,
    hlc_counter    INTEGER NOT NULL,
    body           TEXT    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'local' CHECK (state IN ('local', 'sent', 'confirmed', 'rejected')),
    sent_at        TEXT,
    answered_at    TEXT,
    -- protocol::RejectGround as JSON, when rejected
    reject_ground  TEXT,
    -- what the op is about here, to show it and to undo a provisional effect
    person_id      INTEGER REFERENCES person (id),
    application_id INTEGER REFERENCES attachment_application (id),
    attachment_id  INTEGER REFERENCES attachment (id),
    -- the attachment this op ended locally, reopened if the registry rejects it
    ended_attachment_id INTEGER REFERENCES attachment (id),
    -- when a rejected op left the "needs attention" list, and who took it off
    resolved_at    TEXT,
    resolved_by    INTEGER REFERENCES staff (id),
    CHECK ((state = 'rejected') = (reject_ground IS NOT NULL))
);
CREATE INDEX outbox_unsent ON outbox (state, seq) WHERE state IN ('local', 'sent');
CREATE INDEX outbox_attention ON outbox (seq) WHERE state = 'rejected' AND resolved_at IS NULL;
CREATE INDEX outbox_by_application ON outbox (application_id) WHERE application_id IS NOT NULL;
CREATE INDEX outbox_by_attachment ON outbox (attachment_id) WHERE attachment_id IS NOT NULL;
