-- Care plans shared between a clinic's PCs (clinic_record, kind 'plan'): the
-- plan whole, with its visits and every outcome recorded for them.
ALTER TABLE clinic_record DROP CONSTRAINT clinic_record_kind_check;
ALTER TABLE clinic_record ADD CONSTRAINT clinic_record_kind_check
    CHECK (kind IN ('call', 'booking', 'schedule', 'plan'));
-- One open plan of a kind (and of a condition) per person in a clinic, as on
-- every PC: of two PCs opening it offline, the first to arrive keeps it.
CREATE UNIQUE INDEX clinic_plan_one_open ON clinic_record (
    clinic_id,
    (body #>> '{person,iin}'),
    (body #>> '{event,event}'),
    (coalesce(body #>> '{event,condition}', ''))
) WHERE kind = 'plan' AND (body -> 'closed') = 'null'::jsonb;
