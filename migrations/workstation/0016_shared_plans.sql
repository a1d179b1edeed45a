-- Care plans shared between the clinic's PCs through the registry (issue 17):
-- a plan, each of its visits and each outcome get the id they have on every
-- PC; a visit's id is derived from its plan and what it is
-- (protocol::VisitRecord::id_for), so two PCs planning a plan ahead name its
-- visits alike. Rows from before get random (version 4) ids.

ALTER TABLE care_plan ADD COLUMN uid TEXT;
UPDATE care_plan SET uid = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX care_plan_by_uid ON care_plan (uid);
-- 1: opened before plans were shared, or loaded with the clinic's registers;
-- sync sends it whole, a batch at a time.
ALTER TABLE care_plan ADD COLUMN unsent INTEGER NOT NULL DEFAULT 0 CHECK (unsent IN (0, 1));
UPDATE care_plan SET unsent = 1;
CREATE INDEX care_plan_unsent ON care_plan (id) WHERE unsent = 1;
-- The plan's version at the registry (the op that opened it or last changed its risk).
ALTER TABLE care_plan ADD COLUMN version TEXT;
-- Who opened it, by IIN, when this PC does not know them.
ALTER TABLE care_plan ADD COLUMN opened_by_iin TEXT;

ALTER TABLE plan_visit ADD COLUMN uid TEXT;
UPDATE plan_visit SET uid = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX plan_visit_by_uid ON plan_visit (uid);

ALTER TABLE visit_event ADD COLUMN uid TEXT;
UPDATE visit_event SET uid = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX visit_event_by_uid ON visit_event (uid);
-- Who recorded or undid it, by IIN, when this PC does not know them.
ALTER TABLE visit_event ADD COLUMN staff_iin TEXT;
ALTER TABLE visit_event ADD COLUMN undone_by_iin TEXT;
-- Another PC's outcome for the visit reached the registry first: this one
-- stays in the visit's history, marked, and changes nothing.
ALTER TABLE visit_event ADD COLUMN refused_at TEXT;
