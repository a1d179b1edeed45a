-- At a feldsher post (a district with no doctor) a call the triage sends to
-- the doctor goes to the feldsher, marked as a doctor's call (issue 15).
ALTER TABLE home_call ADD COLUMN doctor_level INTEGER NOT NULL DEFAULT 0 CHECK (doctor_level IN (0, 1));
