-- Versioned rule tables the registry hands out as reference data: a home-call
-- triage table or care-plan schedules, as the order of `valid_from` sets
-- them (the JSON of domain::home_call::TriageRules or domain::care_plan::PlanRules).
CREATE TABLE rule_table (
    kind       text  NOT NULL CHECK (kind IN ('triage', 'care_plan')),
    valid_from date  NOT NULL,
    source     text  NOT NULL,
    body       jsonb NOT NULL,
    PRIMARY KEY (kind, valid_from)
);
