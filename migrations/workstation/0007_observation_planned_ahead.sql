-- Dynamic observation lasts as long as the person is observed: an open plan
-- keeps its visits planned up to a horizon ahead of today, and this is the
-- last day its cadences are planned through (NULL for plans planned whole:
-- patronage and antenatal). Plans opened before were planned 12 months from
-- enrolment (the seed's horizon then), so that is where planning resumes.
ALTER TABLE care_plan ADD COLUMN planned_through TEXT;
UPDATE care_plan
   SET planned_through = date(json_extract(event, '$.enrolled'), '+12 months')
 WHERE kind = 'observation';
CREATE INDEX care_plan_to_plan_ahead ON care_plan (planned_through)
    WHERE closed_on IS NULL AND planned_through IS NOT NULL;
