-- Home calls shared between the clinic's PCs through the registry (issue 17):
-- each call gets the id it has on every PC, and the outbox learns which
-- record an op is about, so the feed leaves a call alone while an op made
-- here about it waits for its answer.

-- The call's id on every PC and at the registry (a UUID, as text). Calls
-- taken before this migration get a random (version 4) one.
ALTER TABLE home_call ADD COLUMN uid TEXT;
UPDATE home_call SET uid = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX home_call_by_uid ON home_call (uid);
-- 1: taken before calls were shared, never sent; its next change sends it whole.
ALTER TABLE home_call ADD COLUMN unsent INTEGER NOT NULL DEFAULT 0 CHECK (unsent IN (0, 1));
UPDATE home_call SET unsent = 1;
-- A temperature was kept as the f32 nearest what was said (37.599998…), and
-- the nurse's round printed it so: kept as the tenth said, as calls are now.
UPDATE home_call SET temperature = round(temperature, 1) WHERE temperature IS NOT NULL;
-- The staff member a call was assigned to, by IIN, when the feed names one
-- this PC does not know yet (kept so nothing the registry said is lost).
ALTER TABLE home_call ADD COLUMN assigned_staff_iin TEXT;

-- The outbox again, without the list of op kinds (the code writes the kind
-- from the op's body; each new kind would otherwise rebuild the table) and
-- with the record an op creates or changes.
CREATE TABLE outbox_new (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    actor_iin      TEXT,
    made_at        TEXT    NOT NULL,
    hlc_wall_ms    INTEGER NOT NULL,
    hlc_counter    INTEGER NOT NULL,
    body           TEXT    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'local' CHECK (state IN ('local', 'sent', 'confirmed', 'rejected')),
    sent_at        TEXT,
    answered_at    TEXT,
    reject_ground  TEXT,
    person_id      INTEGER REFERENCES person (id),
    application_id INTEGER REFERENCES attachment_application (id),
    attachment_id  INTEGER REFERENCES attachment (id),
    ended_attachment_id INTEGER REFERENCES attachment (id),
    resolved_at    TEXT,
    resolved_by    INTEGER REFERENCES staff (id),
    booking_id     INTEGER REFERENCES booking (id),
    -- the clinic record (protocol::Record id) the op creates or changes
    record_id      TEXT,
    CHECK ((state = 'rejected') = (reject_ground IS NOT NULL))
);
INSERT INTO outbox_new (seq, id, kind, actor_iin, made_at, hlc_wall_ms, hlc_counter, body, state, sent_at,
                        answered_at, reject_ground, person_id, application_id, attachment_id, ended_attachment_id,
                        resolved_at, resolved_by, booking_id)
SELECT seq, id, kind, actor_iin, made_at, hlc_wall_ms, hlc_counter, body, state, sent_at,
       answered_at, reject_ground, person_id, application_id, attachment_id, ended_attachment_id,
       resolved_at, resolved_by, booking_id
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_unsent ON outbox (state, seq) WHERE state IN ('local', 'sent');
CREATE INDEX outbox_attention ON outbox (seq) WHERE state = 'rejected' AND resolved_at IS NULL;
CREATE INDEX outbox_by_application ON outbox (application_id) WHERE application_id IS NOT NULL;
CREATE INDEX outbox_by_attachment ON outbox (attachment_id) WHERE attachment_id IS NOT NULL;
CREATE INDEX outbox_by_booking ON outbox (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX outbox_by_record ON outbox (record_id) WHERE record_id IS NOT NULL;
