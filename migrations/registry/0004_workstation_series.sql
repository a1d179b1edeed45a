-- The series each workstation of a clinic numbers its applications, bookings
-- and calls in (emhana_domain::numbering), handed out at enrolment: 1, 2, 3,
-- ... in the clinic, so no two of its workstations give the same number.
ALTER TABLE workstation ADD COLUMN series integer CHECK (series > 0);
CREATE UNIQUE INDEX workstation_series ON workstation (clinic_id, series);
