-- A specialist's plan visit keeps the specialty that makes it, so a booking
-- the person came to with a doctor of that specialty closes it (issue 15).
-- Visits planned before have none and are recorded by hand.
ALTER TABLE plan_visit ADD COLUMN specialty TEXT;
