-- Doctors' schedules shared between a clinic's PCs (clinic_record, kind
-- 'schedule'; one record per doctor, its id derived from the clinic and the
-- doctor: protocol::ScheduleRecord::id_for).
ALTER TABLE clinic_record DROP CONSTRAINT clinic_record_kind_check;
ALTER TABLE clinic_record ADD CONSTRAINT clinic_record_kind_check CHECK (kind IN ('call', 'booking', 'schedule'));
