-- A plan closes with its reason (domain::care_plan::PlanClosure): the card
-- shows a closed plan with why; its open visits leave every round and list.
ALTER TABLE care_plan ADD COLUMN closed_reason TEXT
    CHECK (closed_reason IS NULL OR closed_reason IN ('completed', 'pregnancy_ended', 'died', 'left_clinic'));
