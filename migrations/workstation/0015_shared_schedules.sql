-- Doctors' schedules shared between the clinic's PCs through the registry
-- (issue 17): the version of each doctor's schedule this PC's copy is based
-- on — the registry's (protocol::ScheduleRecord.changed_by), or the id of
-- this PC's own last op setting it — so a change made here over a version
-- another PC has since replaced is told apart from one made over the latest.
CREATE TABLE schedule_version (
    staff_id   INTEGER PRIMARY KEY REFERENCES staff (id),
    changed_by TEXT    NOT NULL
);
