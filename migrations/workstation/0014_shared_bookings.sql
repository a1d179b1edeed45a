-- Bookings shared between the clinic's PCs through the registry (issue 17):
-- each booking gets the id it has on every PC and at the registry, and a
-- record the feed brings that cannot be written yet — its slot still held
-- here by a booking whose op waits for its answer, or a doctor this PC does
-- not know yet — waits beside, and is tried again after every page and
-- every answer.

ALTER TABLE booking ADD COLUMN uid TEXT;
UPDATE booking SET uid = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX booking_by_uid ON booking (uid);

-- A clinic record from the feed (protocol::Record as JSON) held until it can be written.
CREATE TABLE held_record (
    id      TEXT PRIMARY KEY,
    body    TEXT NOT NULL,
    held_at TEXT NOT NULL
);
