-- Every person look-up a workstation makes (issue 20: personal data by
-- need): which PC, which member of staff, whom, when, and what was given.
-- The log is what an administrator reads when a PC asks about people it
-- does not serve, and what the rate limit counts.
CREATE TABLE person_lookup (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workstation_id uuid        NOT NULL REFERENCES workstation (id),
    actor_iin      text        NOT NULL CHECK (actor_iin ~ '^[0-9]{12}$'),
    iin            text        NOT NULL CHECK (iin ~ '^[0-9]{12}$'),
    looked_at      timestamptz NOT NULL,
    -- full: the clinic's own person; for_attachment: someone elsewhere, without
    -- contact details; not_found; refused: the actor may not look people up
    answered       text        NOT NULL CHECK (answered IN ('full', 'for_attachment', 'not_found', 'refused'))
);
CREATE INDEX person_lookup_by_workstation ON person_lookup (workstation_id, looked_at);
