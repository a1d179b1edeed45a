-- A person's details beyond the state's data, as the clinics' windows keep
-- them current (issue 21): the document shown, the temporary address, the
-- place of work or study, the household links (mother, father, guardian).
-- `details` holds the value in force of each — the newest change of each
-- field by when it was made, as `registration::PersonChange` writes it —
-- and goes to the clinics that serve the person in their feed;
-- `person_change` keeps every change with its author.
ALTER TABLE person ADD COLUMN details jsonb NOT NULL DEFAULT '[]'
    CHECK (jsonb_typeof(details) = 'array');

-- an attachment's op carries several (what the registration typed)
ALTER TABLE person_change DROP CONSTRAINT person_change_op_id_key;
ALTER TABLE person_change ADD CONSTRAINT person_change_op_field_key UNIQUE (op_id, field);

ALTER TABLE person_change DROP CONSTRAINT person_change_field_check;
ALTER TABLE person_change ADD CONSTRAINT person_change_field_check
    CHECK (field IN ('address', 'phone', 'document', 'temporary_address', 'workplace',
                     'mother', 'father', 'guardian'));
