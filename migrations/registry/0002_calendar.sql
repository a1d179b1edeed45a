-- The working-day calendar the registry hands out as reference data: for a
-- year it holds, its holidays, days off moved by decree and weekend days
-- worked in their place. A year with no rows is not handed out; workstations
-- keep the Law on holidays' days for it.
CREATE TABLE calendar_day (
    date     date     PRIMARY KEY,
    kind     text     NOT NULL CHECK (kind IN ('holiday', 'day_off', 'working_day')),
    -- for a worked weekend day: the ISO weekday (1 = Monday) whose schedule is kept
    works_as smallint CHECK (works_as IS NULL OR works_as BETWEEN 1 AND 7),
    name     text     NOT NULL DEFAULT '',
    CHECK (works_as IS NULL OR kind = 'working_day')
);
