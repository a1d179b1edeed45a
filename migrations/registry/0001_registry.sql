-- The central registry: clinics and their workstations, the attached-population
-- register, bookings, the ops workstations sent with their answers, and each
-- clinic's change feed. Invariants that span workstations are constraints here.

CREATE TABLE clinic (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bin       text NOT NULL UNIQUE CHECK (bin ~ '^[0-9]{12}$'),
    name_kk   text NOT NULL,
    name_ru   text NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('polyclinic', 'gp_practice', 'rural_outpatient_clinic', 'feldsher_post', 'medical_point')),
    parent_id bigint REFERENCES clinic (id)
);

CREATE TABLE district (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clinic_id bigint NOT NULL REFERENCES clinic (id),
    number    integer NOT NULL CHECK (number > 0),
    kind      text NOT NULL CHECK (kind IN ('therapeutic', 'pediatric', 'general_practice')),
    UNIQUE (clinic_id, number)
);

-- A workstation of a clinic. The enrolment code and the credential are kept
-- as SHA-256 hashes only; both are long random secrets, so a plain hash is enough.
CREATE TABLE workstation (
    id                  uuid PRIMARY KEY,
    clinic_id           bigint NOT NULL REFERENCES clinic (id),
    name                text NOT NULL,
    created_at          timestamptz NOT NULL,
    code_hash           bytea UNIQUE,
    code_expires_at     timestamptz,
    credential_hash     bytea,
    enrolled_at         timestamptz,
    revoked_at          timestamptz,
    CHECK ((code_hash IS NULL) = (code_expires_at IS NULL))
);

-- The state person database's stand-in: every person the registry knows, by IIN.
CREATE TABLE person (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    iin         text NOT NULL UNIQUE CHECK (iin ~ '^[0-9]{12}$'),
    surname     text NOT NULL CHECK (surname <> ''),
    first_name  text NOT NULL CHECK (first_name <> ''),
    patronymic  text,
    birth_date  date NOT NULL,
    sex         text NOT NULL CHECK (sex IN ('male', 'female')),
    citizenship text NOT NULL CHECK (citizenship IN ('citizen', 'kandas', 'foreign_permanent_resident', 'other')),
    settlement  text,
    street      text,
    house       text,
    apartment   text,
    phone       text CHECK (phone IS NULL OR phone ~ '^[0-9]{10}$'),
    died_on     date
);

-- Who is attached where. `ended_on` is the first day no longer attached.
CREATE TABLE attachment (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES person (id),
    clinic_id   bigint NOT NULL REFERENCES clinic (id),
    district_id bigint REFERENCES district (id),
    ground      text NOT NULL CHECK (ground IN ('first_attachment', 'free_choice', 'change_of_residence',
                                                'change_of_work_or_study', 'clinic_reorganization', 'border_area')),
    decided_on  date NOT NULL,
    started_on  date NOT NULL,
    ended_on    date,
    end_reason  text CHECK (end_reason IS NULL OR end_reason IN
                    ('attached_elsewhere', 'changed_district', 'died', 'clinic_liquidated')),
    -- the op that made it, when a workstation did
    op_id       uuid UNIQUE,
    CHECK ((ended_on IS NULL) = (end_reason IS NULL)),
    CHECK (ended_on IS NULL OR started_on <= ended_on)
);
-- One clinic at a time, whichever workstation sends what when: at most one
-- attachment without an end per person.
CREATE UNIQUE INDEX attachment_one_open ON attachment (person_id) WHERE ended_on IS NULL;
CREATE INDEX attachment_by_person ON attachment (person_id, started_on);
CREATE INDEX attachment_by_clinic ON attachment (clinic_id) WHERE ended_on IS NULL;

-- An appointment slot is booked once: a doctor (by IIN) at a start time.
CREATE TABLE booking (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clinic_id     bigint NOT NULL REFERENCES clinic (id),
    staff_iin     text NOT NULL CHECK (staff_iin ~ '^[0-9]{12}$'),
    starts_at     timestamptz NOT NULL,
    person_id     bigint NOT NULL REFERENCES person (id),
    op_id         uuid NOT NULL UNIQUE,
    cancelled_at  timestamptz,
    cancel_op_id  uuid UNIQUE
);
CREATE UNIQUE INDEX booking_one_per_slot ON booking (clinic_id, staff_iin, starts_at) WHERE cancelled_at IS NULL;

-- Every op a workstation sent, with the answer it got: a repeat gets the same
-- answer and no second effect. Kept for protocol::OP_ID_RETENTION_DAYS.
CREATE TABLE op_log (
    id             uuid PRIMARY KEY,
    workstation_id uuid NOT NULL REFERENCES workstation (id),
    kind           text NOT NULL,
    -- NULL when no staff member was named (the workstation acted on its own)
    actor_iin      text,
    made_at        timestamptz NOT NULL,
    hlc_wall_ms    bigint NOT NULL,
    hlc_counter    integer NOT NULL,
    body           jsonb NOT NULL,
    -- protocol::OpOutcome as JSON
    outcome        jsonb NOT NULL,
    decided_at     timestamptz NOT NULL
);
CREATE INDEX op_log_by_decided ON op_log (decided_at);
CREATE INDEX op_log_by_workstation ON op_log (workstation_id, hlc_wall_ms, hlc_counter);

-- Each clinic's change feed: one row per person the clinic has had in scope,
-- moved to the feed's end whenever the person changes. Read in (xid, seq)
-- order below the oldest running transaction (see docs/sync.md), so a change
-- committed late is never skipped; a person's older positions vanish, so a
-- first sync reads each person once.
CREATE SEQUENCE scope_change_seq;
CREATE TABLE scope_change (
    clinic_id   bigint NOT NULL REFERENCES clinic (id),
    person_id   bigint NOT NULL REFERENCES person (id),
    xid         xid8   NOT NULL DEFAULT pg_current_xact_id(),
    seq         bigint NOT NULL DEFAULT nextval('scope_change_seq'),
    in_scope    boolean NOT NULL,
    left_on     date,
    left_reason text CHECK (left_reason IS NULL OR left_reason IN ('attached_elsewhere', 'died', 'detached')),
    PRIMARY KEY (clinic_id, person_id),
    CHECK (in_scope = (left_reason IS NULL)),
    CHECK ((left_on IS NULL) = (left_reason IS NULL))
);
CREATE INDEX scope_change_feed ON scope_change (clinic_id, xid, seq);

-- The year's attachment campaign, when it differs from seed 000's default.
CREATE TABLE attachment_campaign (
    year              integer PRIMARY KEY,
    first_day         date NOT NULL,
    last_day          date NOT NULL,
    free_choice_limit integer NOT NULL CHECK (free_choice_limit >= 0),
    takes_effect      text NOT NULL CHECK (takes_effect IN ('decision_day', 'next_january_first')),
    CHECK (first_day <= last_day)
);
