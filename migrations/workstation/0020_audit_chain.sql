-- The audit log made append-only and hash-chained (issue 19; the
-- personal-data law of seed 002 p.18 asks for integrity). Each row from now
-- on names its author by IIN and the PC it was written on, and carries
-- `hash` = SHA-256 over the previous row's hash and its own content
-- (crates/workstation/src/store/audit.rs): a row changed, removed or moved
-- breaks the chain at that row. The chain's head is sent to the registry at
-- every sync, so a log rewritten whole, hashes and all, is detected there.
-- Rows written before this migration have no hash: the chain starts after them.
ALTER TABLE audit_event ADD COLUMN actor_iin TEXT;
ALTER TABLE audit_event ADD COLUMN workstation TEXT;
ALTER TABLE audit_event ADD COLUMN hash TEXT CHECK (hash IS NULL OR length(hash) = 64);

-- The app never changes or removes a row (a snapshot copy drops these to
-- forget its maker's log; store::audit holds the same statements).
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Card openings listed on the card, newest first (and a person's rows at all).
DROP INDEX audit_event_by_person;
CREATE INDEX audit_event_by_person ON audit_event (person_id, action, id);

-- The row of this PC's log whose hash the registry holds as its head: the
-- next sync sends that row's hash as the log has it now, which the registry
-- compares with its own; and when the registry last found they differ.
ALTER TABLE sync_state ADD COLUMN audit_held_seq INTEGER;
ALTER TABLE sync_state ADD COLUMN audit_mismatch_at TEXT;
