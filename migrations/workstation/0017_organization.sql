-- The organization comes from the registry (GET /v1/organization): the
-- clinic's region, a district's own list norm, coverage by side of the
-- street or a whole village, staff with several roles and districts, a room
-- and the dates they work here. The version held is kept beside the cursor.

ALTER TABLE clinic ADD COLUMN region TEXT NOT NULL DEFAULT '';

-- Persons per district doctor, when the district's norm differs from the clinic's for its kind.
ALTER TABLE district ADD COLUMN list_norm INTEGER CHECK (list_norm IS NULL OR list_norm > 0);

-- An area a district serves: a whole settlement (street NULL), a whole
-- street (houses NULL), or a street's houses, all or one side.
CREATE TABLE district_coverage_new (
    district_id INTEGER NOT NULL REFERENCES district (id),
    settlement  TEXT    NOT NULL,
    street      TEXT,
    house_from  INTEGER,
    house_to    INTEGER,
    parity      TEXT    NOT NULL DEFAULT 'all' CHECK (parity IN ('all', 'even', 'odd')),
    CHECK ((house_from IS NULL) = (house_to IS NULL)),
    CHECK (house_from IS NULL OR (street IS NOT NULL AND house_from > 0 AND house_from <= house_to))
);
INSERT INTO district_coverage_new (district_id, settlement, street, house_from, house_to)
    SELECT district_id, settlement, street, house_from, house_to FROM district_coverage;
DROP TABLE district_coverage;
ALTER TABLE district_coverage_new RENAME TO district_coverage;
CREATE INDEX district_coverage_by_street ON district_coverage (settlement, street, house_from);
CREATE INDEX district_coverage_by_district ON district_coverage (district_id);

-- staff.role and staff.district_id stay the first role and the first
-- district (what lists and documents show); these hold them all.
ALTER TABLE staff ADD COLUMN room TEXT;
ALTER TABLE staff ADD COLUMN works_from TEXT;
ALTER TABLE staff ADD COLUMN works_to TEXT;

CREATE TABLE staff_role (
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    role     TEXT    NOT NULL CHECK (role IN ('registrar', 'district_nurse', 'feldsher', 'district_doctor', 'head')),
    PRIMARY KEY (staff_id, role)
) WITHOUT ROWID;
INSERT INTO staff_role (staff_id, role) SELECT id, role FROM staff;

CREATE TABLE staff_district (
    staff_id    INTEGER NOT NULL REFERENCES staff (id),
    district_id INTEGER NOT NULL REFERENCES district (id),
    position    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (staff_id, district_id)
) WITHOUT ROWID;
INSERT INTO staff_district (staff_id, district_id) SELECT id, district_id FROM staff WHERE district_id IS NOT NULL;
CREATE INDEX staff_district_by_district ON staff_district (district_id);

-- the organization version this PC holds (NULL: never taken from the registry)
ALTER TABLE sync_state ADD COLUMN organization_version INTEGER;
