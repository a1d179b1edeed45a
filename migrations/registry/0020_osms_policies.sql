-- Digital insurance policies (seed 003 p. 36–37, the 2026 pilot), as the
-- policy registry's files bring them; the registry stands in for it. The
-- provider the holder is attached to is not stored: the registry names it
-- from its own attachment register whenever it answers (p. 38), so it is
-- always in step with the attachments.
CREATE TABLE osms_policy (
    number             text   PRIMARY KEY CHECK (length(number) BETWEEN 1 AND 64),
    iin                text   NOT NULL CHECK (iin ~ '^[0-9]{12}$'),
    issuer_name        text   NOT NULL CHECK (length(issuer_name) BETWEEN 1 AND 300),
    issuer_location    text   NOT NULL CHECK (length(issuer_location) BETWEEN 1 AND 300),
    issuer_bin         text   NOT NULL CHECK (issuer_bin ~ '^[0-9]{12}$'),
    holder_full_name   text   NOT NULL CHECK (length(holder_full_name) BETWEEN 1 AND 300),
    holder_address     text   NOT NULL CHECK (length(holder_address) BETWEEN 1 AND 300),
    holder_document    text   NOT NULL CHECK (length(holder_document) BETWEEN 1 AND 64),
    issued_on          date   NOT NULL,
    valid_from         date   NOT NULL,
    valid_until        date   NOT NULL CHECK (valid_until >= valid_from),
    services           text[] NOT NULL,
    registrar_name     text   NOT NULL CHECK (length(registrar_name) BETWEEN 1 AND 300),
    registrar_location text   NOT NULL CHECK (length(registrar_location) BETWEEN 1 AND 300),
    status             text   NOT NULL CHECK (status IN ('active', 'blocked', 'annulled')),
    import_id          bigint NOT NULL REFERENCES osms_import (id)
);
CREATE INDEX osms_policy_by_person ON osms_policy (iin, valid_from);
ALTER TABLE osms_import DROP CONSTRAINT osms_import_kind_check,
    ADD CONSTRAINT osms_import_kind_check CHECK (kind IN ('payments', 'state_paid', 'policies'));
