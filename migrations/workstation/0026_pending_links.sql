-- A household link the registry named to a person this PC does not hold
-- yet (a first sync may read a child before her mother): kept here, and
-- made a link once the relative arrives.
CREATE TABLE person_link_pending (
    person_id    INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    relation     TEXT    NOT NULL CHECK (relation IN ('mother', 'father', 'guardian')),
    relative_iin TEXT    NOT NULL,
    PRIMARY KEY (person_id, relation)
);
CREATE INDEX person_link_pending_by_iin ON person_link_pending (relative_iin);
