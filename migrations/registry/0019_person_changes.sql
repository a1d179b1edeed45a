-- A person's contact details changed at a clinic's window (issue 21,
-- keeping a person's data current): each change with its op, its author,
-- when it was made and the value before, the person's history. The newest
-- change by when it was made is the value in force, whatever order the
-- changes arrive in.
CREATE TABLE person_change (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id bigint      NOT NULL REFERENCES person (id),
    op_id     uuid        NOT NULL UNIQUE,
    clinic_id bigint      NOT NULL REFERENCES clinic (id),
    actor_iin text        CHECK (actor_iin ~ '^[0-9]{12}$'),
    made_at   timestamptz NOT NULL,
    field     text        NOT NULL CHECK (field IN ('address', 'phone')),
    before    jsonb,
    after     jsonb       NOT NULL
);
CREATE INDEX person_change_by_person ON person_change (person_id, field, made_at);
