-- OSMS (issue 21). The minimum monthly wage of each year, as the registry
-- hands it out (reference data: OSMS arrears are 5 % of it a month), and
-- the last answer the registry gave about a person's OSMS status: shown
-- with its date, marked as not current, when the registry cannot be asked.
CREATE TABLE minimum_wage (
    year  INTEGER PRIMARY KEY,
    tenge INTEGER NOT NULL CHECK (tenge > 0)
);

CREATE TABLE osms_known (
    person_id INTEGER PRIMARY KEY REFERENCES person (id) ON DELETE CASCADE,
    -- when the registry read the Fund's data (its clock), RFC 3339
    known_at  TEXT NOT NULL,
    -- the registry's answer (emhana_protocol::OsmsAnswer) as JSON
    answer    TEXT NOT NULL CHECK (json_valid(answer))
);
