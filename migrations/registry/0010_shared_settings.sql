-- The clinic's settings that must agree between its PCs (clinic_record,
-- kind 'settings'; one record per clinic, its id derived from the BIN:
-- protocol::SettingsRecord::id_for).
ALTER TABLE clinic_record DROP CONSTRAINT clinic_record_kind_check;
ALTER TABLE clinic_record ADD CONSTRAINT clinic_record_kind_check
    CHECK (kind IN ('call', 'booking', 'schedule', 'plan', 'round', 'settings'));
