-- Bookings shared between a clinic's PCs: kept whole beside the slot they
-- hold, as the clinic's records are (clinic_record, kind 'booking').
ALTER TABLE clinic_record DROP CONSTRAINT clinic_record_kind_check;
ALTER TABLE clinic_record ADD CONSTRAINT clinic_record_kind_check CHECK (kind IN ('call', 'booking'));
-- the person's bookings with a doctor, to refuse a second one the same day
CREATE INDEX booking_by_person ON booking (person_id, staff_iin, starts_at) WHERE cancelled_at IS NULL;
