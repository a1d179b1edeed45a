-- The person look-up at registration (issue 21). What the state person
-- database (the registry standing in for ГБД ФЛ) answered for an IIN, kept
-- so that a registration is checked against it here, not against what the
-- window says; a person registered with data nobody confirmed (typed
-- offline, or other than the state's) is marked so until the registry
-- brings the state's data, and what it then corrected is kept for the
-- registrar to see.
CREATE TABLE state_person_answer (
    iin       TEXT PRIMARY KEY,
    -- emhana_domain::Person as JSON
    person    TEXT NOT NULL CHECK (json_valid(person)),
    looked_at TEXT NOT NULL
);

-- 1: the data is as typed here, not the state's (yet)
ALTER TABLE person ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0;

CREATE TABLE person_correction (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    -- surname, first_name, patronymic, birth_date, sex, citizenship
    field        TEXT NOT NULL,
    typed        TEXT,
    registry     TEXT,
    corrected_at TEXT NOT NULL
);
CREATE INDEX person_correction_by_person ON person_correction (person_id);
