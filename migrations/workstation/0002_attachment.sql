-- Attachment to the clinic: person registration details, applications with
-- their consent, the attachment history, the year's reference data, and an
-- audit trail. History is never deleted: an attachment ends, it is not removed.

-- Registration details the registrar records at the window.
ALTER TABLE person ADD COLUMN document_kind TEXT
    CHECK (document_kind IS NULL OR document_kind IN ('id_card', 'passport', 'birth_certificate', 'other'));
ALTER TABLE person ADD COLUMN document_number TEXT;
ALTER TABLE person ADD COLUMN document_issued_on TEXT;
ALTER TABLE person ADD COLUMN temporary_settlement TEXT;
ALTER TABLE person ADD COLUMN temporary_street TEXT;
ALTER TABLE person ADD COLUMN temporary_house TEXT;
ALTER TABLE person ADD COLUMN temporary_apartment TEXT;
ALTER TABLE person ADD COLUMN workplace TEXT;
-- when this workstation registered the person (NULL: arrived by import or sync)
ALTER TABLE person ADD COLUMN registered_at TEXT;

-- Family links (mother–child at least); `relative_id` is the parent.
CREATE TABLE person_link (
    person_id   INTEGER NOT NULL REFERENCES person (id),
    relative_id INTEGER NOT NULL REFERENCES person (id),
    relation    TEXT    NOT NULL CHECK (relation IN ('mother', 'father', 'guardian')),
    PRIMARY KEY (person_id, relation),
    CHECK (person_id <> relative_id)
);
CREATE INDEX person_link_by_relative ON person_link (relative_id);

-- The year's attachment campaign, when it differs from seed 000's default
-- (15 Sep – 15 Nov, once a year, effective at once).
CREATE TABLE attachment_campaign (
    year              INTEGER PRIMARY KEY,
    first_day         TEXT    NOT NULL,
    last_day          TEXT    NOT NULL,
    free_choice_limit INTEGER NOT NULL CHECK (free_choice_limit >= 0),
    takes_effect      TEXT    NOT NULL CHECK (takes_effect IN ('decision_day', 'next_january_first')),
    CHECK (first_day <= last_day)
);

-- A district doctor's list norm by district kind, when it differs from the default.
CREATE TABLE district_list_norm (
    district_kind TEXT    PRIMARY KEY CHECK (district_kind IN ('therapeutic', 'pediatric', 'general_practice')),
    persons       INTEGER NOT NULL CHECK (persons > 0)
);

CREATE TABLE attachment_application (
    id               INTEGER PRIMARY KEY,
    clinic_id        INTEGER NOT NULL REFERENCES clinic (id),
    -- numbered 1, 2, ... in the clinic and the (Kazakhstan) year of submission
    year             INTEGER NOT NULL,
    number           INTEGER NOT NULL CHECK (number > 0),
    person_id        INTEGER NOT NULL REFERENCES person (id),
    channel          TEXT    NOT NULL CHECK (channel IN ('in_person', 'in_writing', 'portal', 'public_service_centre')),
    ground           TEXT    NOT NULL CHECK (ground IN ('first_attachment', 'free_choice', 'change_of_residence',
                                                        'change_of_work_or_study', 'clinic_reorganization', 'border_area')),
    district_id      INTEGER NOT NULL REFERENCES district (id),
    district_source  TEXT    NOT NULL CHECK (district_source IN ('chosen', 'household', 'address')),
    -- the identity document shown; no paper copy is kept
    document_kind    TEXT    NOT NULL CHECK (document_kind IN ('id_card', 'passport', 'birth_certificate', 'other')),
    document_number  TEXT    NOT NULL,
    registrar_id     INTEGER NOT NULL REFERENCES staff (id),
    submitted_at     TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('registered', 'attached', 'refused')),
    decided_at       TEXT,
    refusal_ground   TEXT    CHECK (refusal_ground IS NULL OR refusal_ground IN
                        ('no_consent', 'person_deceased', 'not_first_attachment', 'outside_campaign', 'free_choice_limit_reached')),
    -- set when the central registry confirms; until then the ticket is provisional
    registry_confirmed_at TEXT,
    UNIQUE (clinic_id, year, number),
    CHECK ((status = 'refused') = (refusal_ground IS NOT NULL))
);
CREATE INDEX attachment_application_by_person ON attachment_application (person_id);

-- Consent to access restricted personal data (Law 94-V, Art. 8), one per application.
CREATE TABLE personal_data_consent (
    application_id  INTEGER PRIMARY KEY REFERENCES attachment_application (id),
    person_id       INTEGER NOT NULL REFERENCES person (id),
    given           INTEGER NOT NULL CHECK (given IN (0, 1)),
    operator_name   TEXT    NOT NULL,
    operator_bin    TEXT    NOT NULL CHECK (length(operator_bin) = 12),
    -- NULL: until withdrawn
    valid_until     TEXT,
    third_parties   INTEGER NOT NULL CHECK (third_parties IN (0, 1)),
    cross_border    INTEGER NOT NULL CHECK (cross_border IN (0, 1)),
    publication     INTEGER NOT NULL CHECK (publication IN (0, 1)),
    data_list       TEXT    NOT NULL,
    recorded_by     INTEGER NOT NULL REFERENCES staff (id),
    recorded_at     TEXT    NOT NULL
);

-- Who was attached where, when. `ended_on` is the first day no longer attached.
CREATE TABLE attachment (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES person (id),
    clinic_id      INTEGER NOT NULL REFERENCES clinic (id),
    district_id    INTEGER REFERENCES district (id),
    ground         TEXT    NOT NULL CHECK (ground IN ('first_attachment', 'free_choice', 'change_of_residence',
                                                      'change_of_work_or_study', 'clinic_reorganization', 'border_area')),
    application_id INTEGER REFERENCES attachment_application (id),
    decided_on     TEXT    NOT NULL,
    started_on     TEXT    NOT NULL,
    ended_on       TEXT,
    end_reason     TEXT    CHECK (end_reason IS NULL OR end_reason IN
                        ('attached_elsewhere', 'changed_district', 'died', 'clinic_liquidated')),
    CHECK ((ended_on IS NULL) = (end_reason IS NULL)),
    CHECK (ended_on IS NULL OR started_on <= ended_on)
);
-- one clinic at a time: at most one attachment without an end per person
CREATE UNIQUE INDEX attachment_one_open ON attachment (person_id) WHERE ended_on IS NULL;
CREATE INDEX attachment_by_person ON attachment (person_id, started_on);
-- a district's list on a day: attachments of the district not ended by then
CREATE INDEX attachment_by_district ON attachment (district_id, ended_on, started_on);
CREATE INDEX attachment_by_clinic_dates ON attachment (clinic_id, started_on, ended_on);
CREATE INDEX attachment_by_application ON attachment (application_id) WHERE application_id IS NOT NULL;

-- Every write a user makes, with who and when, in the same transaction as the write.
CREATE TABLE audit_event (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    staff_id  INTEGER REFERENCES staff (id),
    action    TEXT    NOT NULL,
    person_id INTEGER REFERENCES person (id),
    detail    TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_event_by_person ON audit_event (person_id);
