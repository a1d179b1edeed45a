-- The clinic's own records (home calls first; care plans, visit outcomes,
-- schedules and bookings' states to follow), kept whole as the JSON of
-- protocol::Record, and carried in the clinic's feed. Each row moves to the
-- feed's end when its record changes, with the same cursor as scope_change
-- (the writing transaction's id and a number from the same sequence), so one
-- cursor reads persons and records in the order they were written.
CREATE TABLE clinic_record (
    id        uuid   PRIMARY KEY,
    clinic_id bigint NOT NULL REFERENCES clinic (id),
    kind      text   NOT NULL CHECK (kind IN ('call')),
    body      jsonb  NOT NULL,
    -- the op that created the record, and the last one that changed it
    created_by_op uuid NOT NULL,
    changed_by_op uuid NOT NULL,
    xid       xid8   NOT NULL DEFAULT pg_current_xact_id(),
    seq       bigint NOT NULL DEFAULT nextval('scope_change_seq')
);
CREATE INDEX clinic_record_feed ON clinic_record (clinic_id, xid, seq);
-- A call's number is the clinic's once (each workstation numbers in its own series).
CREATE UNIQUE INDEX clinic_record_call_number ON clinic_record (clinic_id, (body ->> 'year'), (body ->> 'number'))
    WHERE kind = 'call';
