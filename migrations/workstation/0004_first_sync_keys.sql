-- Name search keys of the persons a first sync brings, kept in arrival order
-- and moved into the search indexes in key order when the first sync ends:
-- random inserts into the large word and phrase B-trees made a million-person
-- first sync several times slower. Until then those persons are found by IIN.
CREATE TABLE first_sync_name_key (
    -- 0: a word (person_name_word), 1: the phrase (person_name_phrase)
    phrase    INTEGER NOT NULL CHECK (phrase IN (0, 1)),
    key       TEXT    NOT NULL,
    person_id INTEGER NOT NULL REFERENCES person (id)
);
CREATE INDEX first_sync_name_key_by_person ON first_sync_name_key (person_id);
