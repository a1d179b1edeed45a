-- A mis-tapped visit outcome can be undone on the day it was recorded. Each
-- event keeps the visit's state before it, so undoing restores that state
-- exactly (a move changed the visit's days); an undone event stays in the
-- history, with who undid it and when. Events recorded before this migration
-- have no prior state and cannot be undone.
ALTER TABLE visit_event ADD COLUMN prior_outcome TEXT
    CHECK (prior_outcome IS NULL OR prior_outcome IN ('done', 'not_at_home', 'refused', 'moved'));
ALTER TABLE visit_event ADD COLUMN prior_closed INTEGER CHECK (prior_closed IS NULL OR prior_closed IN (0, 1));
ALTER TABLE visit_event ADD COLUMN prior_due_from TEXT;
ALTER TABLE visit_event ADD COLUMN prior_due_to TEXT;
ALTER TABLE visit_event ADD COLUMN undone_at TEXT;
ALTER TABLE visit_event ADD COLUMN undone_by INTEGER REFERENCES staff (id);
