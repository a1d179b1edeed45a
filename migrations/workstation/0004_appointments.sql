-- Appointments with a doctor: the working-day calendar, staff schedules
-- (weekly templates and exceptions), and the pre-registration journal of
-- bookings with each booking's status history. Times of day and appointment
-- times are Kazakhstan wall-clock times ('YYYY-MM-DD HH:MM:SS', UTC+5).

-- Days that differ from an ordinary week. A year with no rows here keeps the
-- days the Law on holidays fixes (domain::calendar::WorkCalendar::law_defaults).
CREATE TABLE calendar_day (
    date     TEXT    PRIMARY KEY,
    kind     TEXT    NOT NULL CHECK (kind IN ('holiday', 'day_off', 'working_day')),
    -- for a worked weekend day: the ISO weekday (1 = Monday) whose schedule is kept
    works_as INTEGER CHECK (works_as IS NULL OR works_as BETWEEN 1 AND 7),
    name     TEXT    NOT NULL DEFAULT '',
    CHECK (works_as IS NULL OR kind = 'working_day')
);

-- A staff member's week from `valid_from` until the next template's first day.
CREATE TABLE schedule_template (
    id         INTEGER PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    valid_from TEXT    NOT NULL,
    saved_at   TEXT    NOT NULL,
    saved_by   INTEGER REFERENCES staff (id),
    UNIQUE (staff_id, valid_from)
);

-- Leave, sick days, training, or changed hours over a run of days.
CREATE TABLE schedule_exception (
    id        INTEGER PRIMARY KEY,
    staff_id  INTEGER NOT NULL REFERENCES staff (id),
    first_day TEXT    NOT NULL,
    last_day  TEXT    NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('leave', 'sick_leave', 'training', 'changed_hours')),
    saved_at  TEXT    NOT NULL,
    saved_by  INTEGER REFERENCES staff (id),
    CHECK (first_day <= last_day)
);
CREATE INDEX schedule_exception_by_staff ON schedule_exception (staff_id, first_day);

-- The sessions of a template (recurring on `weekday`) or of a changed-hours exception.
CREATE TABLE schedule_session (
    template_id  INTEGER REFERENCES schedule_template (id) ON DELETE CASCADE,
    exception_id INTEGER REFERENCES schedule_exception (id) ON DELETE CASCADE,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts       TEXT    NOT NULL,
    ends         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('reception', 'home_visits', 'break')),
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes > 0),
    room         TEXT,
    CHECK ((template_id IS NULL) <> (exception_id IS NULL)),
    CHECK (starts < ends)
);
CREATE INDEX schedule_session_by_template ON schedule_session (template_id) WHERE template_id IS NOT NULL;
CREATE INDEX schedule_session_by_exception ON schedule_session (exception_id) WHERE exception_id IS NOT NULL;

-- The pre-registration journal (журнал предварительной записи).
CREATE TABLE booking (
    id            INTEGER PRIMARY KEY,
    -- numbered 1, 2, ... in the (Kazakhstan) year the booking was made
    year          INTEGER NOT NULL,
    number        INTEGER NOT NULL CHECK (number > 0),
    person_id     INTEGER NOT NULL REFERENCES person (id),
    staff_id      INTEGER NOT NULL REFERENCES staff (id),
    starts_at     TEXT    NOT NULL,
    ends_at       TEXT    NOT NULL,
    room          TEXT,
    reason        TEXT    NOT NULL CHECK (reason IN ('acute_or_exacerbation', 'suspected_socially_significant',
                      'remote_consultation', 'active_visit', 'rehabilitation', 'dental_care', 'acute_injury',
                      'injury_aftereffects', 'chronic_disease_observation', 'medico_social_support',
                      'psychological_support', 'disability_assessment_papers', 'prescription', 'preventive_visit',
                      'immunization', 'screening', 'patronage', 'family_planning', 'antenatal_postnatal',
                      'school_health', 'healthy_lifestyle', 'paid_checkup', 'dental_services')),
    channel       TEXT    NOT NULL CHECK (channel IN ('in_person', 'phone', 'portal')),
    status        TEXT    NOT NULL CHECK (status IN ('booked', 'arrived', 'no_show', 'cancelled', 'moved')),
    -- the booking this one replaced when the visit was moved
    moved_from    INTEGER REFERENCES booking (id),
    registrar_id  INTEGER REFERENCES staff (id),
    made_at       TEXT    NOT NULL,
    -- set when the central registry confirms the slot; until then the booking is provisional
    registry_confirmed_at TEXT,
    UNIQUE (year, number),
    CHECK (starts_at < ends_at)
);
-- a slot holds one active booking
CREATE UNIQUE INDEX booking_one_per_slot ON booking (staff_id, starts_at) WHERE status IN ('booked', 'arrived');
-- a person holds one active booking per doctor and day
CREATE UNIQUE INDEX booking_one_per_person_day ON booking (person_id, staff_id, substr(starts_at, 1, 10))
    WHERE status IN ('booked', 'arrived');
CREATE INDEX booking_by_time ON booking (starts_at, staff_id);
CREATE INDEX booking_by_person ON booking (person_id, starts_at);

-- Every status a booking took, with who and when (the first row is `booked`).
CREATE TABLE booking_event (
    id         INTEGER PRIMARY KEY,
    booking_id INTEGER NOT NULL REFERENCES booking (id),
    at         TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('booked', 'arrived', 'no_show', 'cancelled', 'moved')),
    staff_id   INTEGER REFERENCES staff (id),
    -- why, when not a registrar's click: 'slot_taken_at_registry'
    note       TEXT
);
CREATE INDEX booking_event_by_booking ON booking_event (booking_id, id);

-- The booking an op books or cancels, to confirm or undo it when answered.
ALTER TABLE outbox ADD COLUMN booking_id INTEGER REFERENCES booking (id);
CREATE INDEX outbox_by_booking ON outbox (booking_id) WHERE booking_id IS NOT NULL;
