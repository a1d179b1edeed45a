-- The registry desk's first schema: the clinic, its districts and staff, and
-- the persons the workstation serves, with the keys person search reads.

CREATE TABLE clinic (
    id          INTEGER PRIMARY KEY,
    bin         TEXT    NOT NULL UNIQUE CHECK (length(bin) = 12),
    name_kk     TEXT    NOT NULL,
    name_ru     TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('polyclinic', 'gp_practice', 'rural_outpatient_clinic', 'feldsher_post', 'medical_point')),
    -- a rural post belongs to a clinic that runs it
    parent_id   INTEGER REFERENCES clinic (id),
    settlement  TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    phone       TEXT    NOT NULL,
    hours       TEXT    NOT NULL,
    -- the clinic this workstation belongs to; exactly one row may say so
    is_home     INTEGER NOT NULL DEFAULT 0 CHECK (is_home IN (0, 1))
);
CREATE UNIQUE INDEX clinic_one_home ON clinic (is_home) WHERE is_home = 1;

CREATE TABLE district (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinic (id),
    number      INTEGER NOT NULL CHECK (number > 0),
    kind        TEXT    NOT NULL CHECK (kind IN ('therapeutic', 'pediatric', 'general_practice')),
    UNIQUE (clinic_id, number)
);

-- The addresses a district serves: a street's house range, or a whole village.
CREATE TABLE district_coverage (
    district_id INTEGER NOT NULL REFERENCES district (id),
    settlement  TEXT    NOT NULL,
    street      TEXT    NOT NULL,
    house_from  INTEGER NOT NULL CHECK (house_from > 0),
    house_to    INTEGER NOT NULL,
    CHECK (house_from <= house_to)
);
CREATE INDEX district_coverage_by_street ON district_coverage (settlement, street, house_from);
CREATE INDEX district_coverage_by_district ON district_coverage (district_id);

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinic (id),
    iin         TEXT    NOT NULL UNIQUE CHECK (length(iin) = 12),
    surname     TEXT    NOT NULL,
    first_name  TEXT    NOT NULL,
    patronymic  TEXT,
    role        TEXT    NOT NULL CHECK (role IN ('registrar', 'district_nurse', 'feldsher', 'district_doctor', 'head')),
    -- therapist, pediatrician, general_practitioner for doctors
    specialty   TEXT,
    district_id INTEGER REFERENCES district (id),
    phone       TEXT
);
CREATE INDEX staff_by_district ON staff (district_id);

-- People who live together at one address (family service keeps them on one district).
CREATE TABLE household (
    id          INTEGER PRIMARY KEY,
    settlement  TEXT    NOT NULL,
    street      TEXT    NOT NULL,
    house       TEXT    NOT NULL,
    apartment   TEXT
);

CREATE TABLE person (
    id           INTEGER PRIMARY KEY,
    iin          TEXT    NOT NULL UNIQUE CHECK (length(iin) = 12),
    surname      TEXT    NOT NULL CHECK (surname <> ''),
    first_name   TEXT    NOT NULL CHECK (first_name <> ''),
    patronymic   TEXT,
    birth_date   TEXT    NOT NULL,
    sex          TEXT    NOT NULL CHECK (sex IN ('male', 'female')),
    citizenship  TEXT    NOT NULL CHECK (citizenship IN ('citizen', 'kandas', 'foreign_permanent_resident', 'other')),
    household_id INTEGER REFERENCES household (id),
    settlement   TEXT,
    street       TEXT,
    house        TEXT,
    apartment    TEXT,
    -- the national number, 10 digits ("7012345678"), as search compares it
    phone        TEXT CHECK (phone IS NULL OR length(phone) = 10),
    died_on      TEXT
);
CREATE INDEX person_by_household ON person (household_id);
CREATE INDEX person_by_phone ON person (phone) WHERE phone IS NOT NULL;

-- Search keys: each folded word of a person's names (see domain::fold), read
-- by ordered prefix range scans, so a query stops after `limit` rows however
-- many persons share a prefix.
CREATE TABLE person_name_word (
    word      TEXT    NOT NULL,
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    PRIMARY KEY (word, person_id)
) WITHOUT ROWID;
CREATE INDEX person_name_word_by_person ON person_name_word (person_id);

-- The folded full name in document order ("surname first patronymic"), for
-- queries of several words typed in that order.
CREATE TABLE person_name_phrase (
    phrase    TEXT    NOT NULL,
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    PRIMARY KEY (phrase, person_id)
) WITHOUT ROWID;
CREATE INDEX person_name_phrase_by_person ON person_name_phrase (person_id);

-- Workstation settings the user chose (interface language, ...).
CREATE TABLE setting (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
