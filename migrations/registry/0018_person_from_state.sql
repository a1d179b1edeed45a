-- Where the registry's data of a person comes from (issue 21): the state
-- person database (its stand-in's load, later a gateway to ГБД ФЛ) or a
-- clinic's window (a person registered where ГБД ФЛ could not be asked,
-- added by an accepted attachment as typed). A workstation shows the second
-- as not confirmed; when the state's data comes, it replaces what was typed
-- and every clinic serving the person gets it, with what changed.
ALTER TABLE person ADD COLUMN from_state boolean NOT NULL DEFAULT true;
