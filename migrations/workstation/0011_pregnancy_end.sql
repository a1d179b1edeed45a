-- An antenatal plan closes on the recorded end of the pregnancy; how it ended
-- (domain::care_plan::PregnancyOutcome) is kept beside the closure.
ALTER TABLE care_plan ADD COLUMN pregnancy_outcome TEXT
    CHECK (pregnancy_outcome IS NULL OR pregnancy_outcome IN ('birth', 'other'));
