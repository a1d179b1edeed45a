-- The series this PC numbers applications, bookings and calls in, handed out
-- by the registry at enrolment (emhana_domain::numbering): two PCs of a clinic
-- never give the same number. 0 until the PC enrols.
ALTER TABLE sync_enrolment ADD COLUMN series INTEGER NOT NULL DEFAULT 0 CHECK (series >= 0);
