-- The registry owns each clinic's organization: the clinic and the posts it
-- runs, its districts with the addresses each covers, and its staff. An
-- administrator sets it up (emhana-registry commands and CSV imports; the
-- app's administration screen); workstations take it whole whenever its
-- version moves (GET /v1/organization).

-- One sequence for every clinic: a clinic's version moves to its next value
-- on any change to the clinic, its districts, coverage or staff (and its
-- parent's too, whose workstations see their posts).
CREATE SEQUENCE organization_version_seq;

ALTER TABLE clinic
    ADD COLUMN region     text   NOT NULL DEFAULT '',
    ADD COLUMN settlement text   NOT NULL DEFAULT '',
    ADD COLUMN address    text   NOT NULL DEFAULT '',
    ADD COLUMN phone      text   NOT NULL DEFAULT '',
    ADD COLUMN hours      text   NOT NULL DEFAULT '',
    ADD COLUMN organization_version bigint NOT NULL DEFAULT nextval('organization_version_seq'),
    ADD CONSTRAINT clinic_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id);
CREATE INDEX clinic_by_parent ON clinic (parent_id) WHERE parent_id IS NOT NULL;

-- Persons per district doctor, when the district's norm differs from the clinic's for its kind.
ALTER TABLE district ADD COLUMN list_norm integer CHECK (list_norm IS NULL OR list_norm > 0);

-- An area a district serves: a whole settlement (street NULL), a whole
-- street (houses NULL), or a street's houses, all or one side. Two districts
-- of a clinic claiming the same persons may not overlap: checked by
-- emhana_domain::organization::coverage_conflicts under the clinic's row
-- lock, since parity makes it more than a range constraint.
CREATE TABLE district_coverage (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_id bigint  NOT NULL REFERENCES district (id),
    settlement  text    NOT NULL CHECK (settlement <> ''),
    street      text    CHECK (street IS NULL OR street <> ''),
    house_from  integer,
    house_to    integer,
    parity      text    NOT NULL DEFAULT 'all' CHECK (parity IN ('all', 'even', 'odd')),
    CHECK ((house_from IS NULL) = (house_to IS NULL)),
    CHECK (house_from IS NULL OR (street IS NOT NULL AND house_from > 0 AND house_from <= house_to))
);
CREATE INDEX district_coverage_by_district ON district_coverage (district_id);

-- A clinic's staff. Never deleted: records name them long after they leave
-- (works_to says when).
CREATE TABLE staff (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clinic_id   bigint NOT NULL REFERENCES clinic (id),
    iin         text   NOT NULL CHECK (iin ~ '^[0-9]{12}$'),
    surname     text   NOT NULL CHECK (surname <> ''),
    first_name  text   NOT NULL CHECK (first_name <> ''),
    patronymic  text,
    -- the first is the one shown beside the name
    roles       text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['registrar', 'district_nurse', 'feldsher', 'district_doctor', 'head']),
    specialty   text,
    room        text,
    phone       text,
    works_from  date,
    works_to    date,
    UNIQUE (clinic_id, iin),
    CHECK (works_from IS NULL OR works_to IS NULL OR works_from <= works_to)
);

CREATE TABLE staff_district (
    staff_id    bigint NOT NULL REFERENCES staff (id),
    district_id bigint NOT NULL REFERENCES district (id),
    -- the order the staff list gives: the first is the main district
    position    integer NOT NULL,
    PRIMARY KEY (staff_id, district_id)
);
CREATE INDEX staff_district_by_district ON staff_district (district_id);
