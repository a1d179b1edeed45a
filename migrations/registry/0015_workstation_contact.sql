-- When each workstation last reached the registry with its credential (issue
-- 20: an administrator lists a clinic's PCs with their last contact, and
-- revokes or rotates the credential of one that was lost). Written at most
-- once a minute per PC.
ALTER TABLE workstation ADD COLUMN last_contact_at timestamptz;
ALTER TABLE workstation ADD COLUMN credential_rotated_at timestamptz;
