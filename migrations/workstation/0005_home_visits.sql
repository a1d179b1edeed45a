-- Home visits: the journal of home-visit calls with their triage, care plans
-- (patronage and dynamic observation) with their visits and outcomes, the
-- nurses' rounds as ordered, and the versioned rule tables they are decided by.

-- Versioned rule tables (reference data): a triage table or care-plan
-- schedules as the order of `valid_from` sets them, kept as the JSON of
-- domain::home_call::TriageRules or domain::care_plan::PlanRules. A kind with
-- no row in force uses seed 000's table.
CREATE TABLE rule_table (
    kind       TEXT NOT NULL CHECK (kind IN ('triage', 'care_plan')),
    valid_from TEXT NOT NULL,
    source     TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (kind, valid_from)
);

-- The journal of calls (журнал регистрации вызовов).
CREATE TABLE home_call (
    id             INTEGER PRIMARY KEY,
    -- numbered 1, 2, ... in the (Kazakhstan) year of the call
    year           INTEGER NOT NULL,
    number         INTEGER NOT NULL CHECK (number > 0),
    person_id      INTEGER NOT NULL REFERENCES person (id),
    received_at    TEXT    NOT NULL,
    caller         TEXT    NOT NULL,
    caller_phone   TEXT,
    complaint      TEXT    NOT NULL,
    temperature    REAL    CHECK (temperature IS NULL OR temperature BETWEEN 30 AND 43),
    pregnant       INTEGER NOT NULL CHECK (pregnant IN (0, 1)),
    -- full years on the day of the call
    age_years      INTEGER NOT NULL CHECK (age_years >= 0),
    registrar_wants_doctor INTEGER NOT NULL CHECK (registrar_wants_doctor IN (0, 1)),
    -- the rules' answer, the table it came from, and who was sent (never below it)
    suggested      TEXT    NOT NULL CHECK (suggested IN ('nurse', 'district_doctor', 'ambulance')),
    reasons        TEXT    NOT NULL,
    rules_valid_from TEXT  NOT NULL,
    goes           TEXT    NOT NULL CHECK (goes IN ('nurse', 'district_doctor', 'ambulance')),
    -- 'emergency_only': not attached here, recorded and told to call 103
    acceptance     TEXT    NOT NULL CHECK (acceptance IN ('taken', 'emergency_only')),
    planned_on     TEXT    NOT NULL,
    assigned_staff_id INTEGER REFERENCES staff (id),
    status         TEXT    NOT NULL CHECK (status IN ('registered', 'passed_to_ambulance', 'served', 'passed_to_doctor',
                                                      'hospitalized', 'not_at_home', 'cancelled')),
    outcome_note   TEXT,
    outcome_at     TEXT,
    outcome_by     INTEGER REFERENCES staff (id),
    registrar_id   INTEGER REFERENCES staff (id),
    UNIQUE (year, number)
);
CREATE INDEX home_call_by_day ON home_call (planned_on, assigned_staff_id);
CREATE INDEX home_call_by_person ON home_call (person_id);

CREATE TABLE home_call_indication (
    call_id    INTEGER NOT NULL REFERENCES home_call (id),
    indication TEXT    NOT NULL CHECK (indication IN ('raised_blood_pressure', 'infectious_contact', 'rash',
                           'post_vaccination_deterioration', 'loss_of_consciousness', 'bleeding',
                           'sudden_sharp_deterioration')),
    PRIMARY KEY (call_id, indication)
) WITHOUT ROWID;

-- A care plan: the event it was expanded from (domain::care_plan::PlanEvent as JSON).
CREATE TABLE care_plan (
    id               INTEGER PRIMARY KEY,
    person_id        INTEGER NOT NULL REFERENCES person (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('child_patronage', 'antenatal', 'observation')),
    -- for observation: the condition; '' for the others (one open plan per kind and condition)
    condition        TEXT    NOT NULL DEFAULT '' CHECK (condition IN ('', 'arterial_hypertension',
                                                        'chronic_heart_failure', 'diabetes2')),
    event            TEXT    NOT NULL,
    rules_valid_from TEXT    NOT NULL,
    opened_at        TEXT    NOT NULL,
    opened_by        INTEGER REFERENCES staff (id),
    closed_on        TEXT
);
CREATE UNIQUE INDEX care_plan_one_open ON care_plan (person_id, kind, condition) WHERE closed_on IS NULL;

CREATE TABLE plan_visit (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES care_plan (id),
    person_id  INTEGER NOT NULL REFERENCES person (id),
    due_from   TEXT    NOT NULL,
    due_to     TEXT    NOT NULL,
    who        TEXT    NOT NULL CHECK (who IN ('nurse', 'district_doctor', 'specialist', 'tests')),
    purpose    TEXT    NOT NULL CHECK (purpose IN ('child_patronage', 'newborn_patronage', 'progressive_patronage',
                           'antenatal_patronage', 'observation_nurse', 'observation_doctor',
                           'observation_specialist', 'observation_tests')),
    what       TEXT,
    -- done or refused: nothing more to do
    closed     INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    -- the last outcome recorded (not at home and moved keep the visit open)
    outcome    TEXT    CHECK (outcome IS NULL OR outcome IN ('done', 'not_at_home', 'refused', 'moved')),
    CHECK (due_from <= due_to)
);
CREATE INDEX plan_visit_open_by_due ON plan_visit (due_from) WHERE closed = 0;
CREATE INDEX plan_visit_by_plan ON plan_visit (plan_id, due_from);
CREATE INDEX plan_visit_by_person ON plan_visit (person_id, due_from);

-- Every outcome recorded for a visit, with who and when.
CREATE TABLE visit_event (
    id        INTEGER PRIMARY KEY,
    visit_id  INTEGER NOT NULL REFERENCES plan_visit (id),
    -- Kazakhstan wall-clock time, so a round finds the outcomes of its day by date
    at        TEXT    NOT NULL,
    outcome   TEXT    NOT NULL CHECK (outcome IN ('done', 'not_at_home', 'refused', 'moved')),
    staff_id  INTEGER REFERENCES staff (id),
    moved_to  TEXT,
    note      TEXT
);
CREATE INDEX visit_event_by_visit ON visit_event (visit_id);

-- A nurse's round as she ordered it; stops not listed here follow in route order.
CREATE TABLE round_stop (
    nurse_id  INTEGER NOT NULL REFERENCES staff (id),
    day       TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    visit_id  INTEGER REFERENCES plan_visit (id),
    call_id   INTEGER REFERENCES home_call (id),
    CHECK ((visit_id IS NULL) <> (call_id IS NULL))
);
CREATE INDEX round_stop_by_day ON round_stop (nurse_id, day, position);
