-- A nurse's day as she ordered it, shared between the clinic's PCs
-- (clinic_record, kind 'round'; one record per nurse and day, its id derived
-- from the clinic, the nurse and the day: protocol::RoundRecord::id_for).
ALTER TABLE clinic_record DROP CONSTRAINT clinic_record_kind_check;
ALTER TABLE clinic_record ADD CONSTRAINT clinic_record_kind_check
    CHECK (kind IN ('call', 'booking', 'schedule', 'plan', 'round'));
