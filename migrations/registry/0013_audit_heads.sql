-- The head of each workstation's audit log (issue 19): the last row number
-- and hash the PC sent, which its next report must lead through. A PC whose
-- log no longer does (rewritten, cut, restored from an old copy) keeps its
-- old head here and raises an alarm for the administrator.
CREATE TABLE audit_head (
    workstation_id uuid        PRIMARY KEY REFERENCES workstation (id),
    seq            bigint      NOT NULL CHECK (seq > 0),
    hash           text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    received_at    timestamptz NOT NULL
);

CREATE TABLE audit_alarm (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workstation_id uuid        NOT NULL REFERENCES workstation (id),
    -- the head held, and what the PC's log has at that row now (NULL: no such row)
    held_seq       bigint      NOT NULL,
    held_hash      text        NOT NULL,
    told_hash      text,
    -- the PC's head reported with it
    head_seq       bigint      NOT NULL,
    detected_at    timestamptz NOT NULL,
    -- one alarm for one held head and what was told of it, however often it is told again
    UNIQUE NULLS NOT DISTINCT (workstation_id, held_seq, told_hash)
);
