import { describe, expect, it } from 'vitest';
import { ru } from './ru';
import { kk } from './kk';
import { format, formatNumber, translate } from './index.svelte';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)(?::[^}]*)?\}/g)].map((m) => m[1]).sort();

describe('catalogs', () => {
  it('have the same keys in Kazakh and Russian', () => {
    expect(Object.keys(kk).sort()).toEqual(Object.keys(ru).sort());
  });

  it('have no empty strings and the same placeholders in both languages', () => {
    for (const key of Object.keys(ru) as (keyof typeof ru)[]) {
      expect(ru[key].trim(), key).not.toBe('');
      expect(kk[key].trim(), key).not.toBe('');
      expect(placeholders(kk[key]), key).toEqual(placeholders(ru[key]));
    }
  });

  it('translate every code the core can send about an IIN', () => {
    const codes = ['empty', 'not_a_digit', 'wrong_length', 'wrong_check_digit', 'no_check_digit_exists'];
    for (const code of codes) expect(Object.keys(ru)).toContain(`identifier.${code}`);
  });

  it('translate every field problem, refusal ground and store error the core can send', () => {
    // the snake_case codes of domain::registration::FieldProblem, domain::attachment::RefusalGround,
    // workstation::StoreError (kept in step by hand; a missing one would show "unexpected error")
    const problems = [
      'required', 'birth_date_disagrees_with_iin', 'sex_disagrees_with_iin', 'not_a_name', 'in_future',
      'before_birth', 'child_needs_birth_certificate', 'birth_certificate_over16', 'invalid_phone',
      'incomplete_address', 'same_person', 'already_registered', 'not_registered', 'mother_not_female',
      'already_attached_here', 'unknown_district', 'unknown_registrar', 'outside_territory',
    ];
    const refusals = ['no_consent', 'person_deceased', 'not_first_attachment', 'outside_campaign', 'free_choice_limit_reached'];
    const store = [
      'person_not_found', 'application_not_found', 'not_decided', 'date_in_future', 'no_home_clinic',
      'invalid_reference_data', 'not_empty', 'corrupt', 'database', 'not_enrolled', 'enrolled_elsewhere',
    ];
    // protocol::RejectGround and workstation::AttentionAction
    const rejects = [
      'attachment_refused', 'already_attached_here', 'not_attached_here', 'slot_taken', 'booking_not_found',
      'unknown_district', 'unknown_person', 'made_in_future', 'malformed',
    ];
    const actions = ['print_refusal', 'pick_another_slot', 'check_person_card', 'call_administrator'];
    const keys = Object.keys(ru);
    for (const code of problems) expect(keys).toContain(`field.${code}`);
    for (const code of refusals) expect(keys).toContain(`refusal.${code}`);
    for (const code of store) expect(keys).toContain(`store.${code}`);
    for (const code of rejects) expect(keys).toContain(`reject.${code}`);
    for (const code of actions) expect(keys).toContain(`attention.action.${code}`);
    // the codes src-tauri/src/commands/sync.rs sends about offline bundles
    const bundle = [
      'not_a_bundle', 'unknown_format', 'too_large', 'wrong_kind', 'other_workstation', 'bad_seal', 'failed', 'cannot_save',
    ];
    for (const code of bundle) expect(keys).toContain(`bundle.${code}`);
    // domain::booking::BookingRefusal and StatusRefusal, workstation::BookingError, domain::schedule::ScheduleError
    const booking = [
      'not_attached', 'attached_elsewhere', 'person_deceased', 'slot_in_past', 'outside_schedule', 'slot_taken',
      'already_booked_that_day', 'booking_not_found', 'staff_not_found',
    ];
    for (const code of booking) expect(keys).toContain(`booking.${code}`);
    for (const code of ['not_from', 'not_yet_the_day']) expect(keys).toContain(`booking_status.${code}`);
    for (const code of ['not_in_year', 'works_as_only_for_working_day', 'duplicate']) {
      expect(keys).toContain(`calendar.${code}`);
    }
    for (const code of ['ends_before_start', 'slot_length', 'overlap', 'exception_backwards']) {
      expect(keys).toContain(`schedule.${code}`);
    }
    // every reason, status and channel of domain::booking
    const reasons = [
      'acute_or_exacerbation', 'suspected_socially_significant', 'remote_consultation', 'active_visit', 'rehabilitation',
      'dental_care', 'acute_injury', 'injury_aftereffects', 'chronic_disease_observation', 'medico_social_support',
      'psychological_support', 'disability_assessment_papers', 'prescription', 'preventive_visit', 'immunization',
      'screening', 'patronage', 'family_planning', 'antenatal_postnatal', 'school_health', 'healthy_lifestyle',
      'paid_checkup', 'dental_services',
    ];
    for (const code of reasons) expect(keys).toContain(`reason.${code}`);
    for (const code of ['booked', 'arrived', 'no_show', 'cancelled', 'moved']) expect(keys).toContain(`status.${code}`);
    // domain::home_call (TriageError, CallRefusal, CallStatus, Indication, Responder, TriageReason),
    // domain::care_plan::PlanError and workstation::HomeVisitError
    for (const code of ['implausible_temperature', 'below_rule']) expect(keys).toContain(`triage.${code}`);
    for (const code of ['not_attached', 'attached_elsewhere']) expect(keys).toContain(`call_refused.${code}`);
    for (const code of ['discharge_before_birth', 'pregnancy_weeks', 'in_future', 'basis_after_enrolment', 'end_before_report']) {
      expect(keys).toContain(`plan.${code}`);
    }
    for (const code of ['district_doctor_conclusion', 'specialist_conclusion', 'discharge_summary']) expect(keys).toContain(`basis.${code}`);
    const homeVisit = [
      'required', 'not_attached', 'before_birth', 'not_a_woman', 'not_a_young_child', 'plan_open', 'not_your_visit', 'not_your_call',
      'move_date', 'nothing_to_undo', 'not_a_pregnancy', 'call_not_found', 'plan_not_found', 'visit_not_found', 'nurse_not_found',
    ];
    for (const code of homeVisit) expect(keys).toContain(`home_visit.${code}`);
    // domain::care_plan::PlanClosure
    for (const code of ['completed', 'pregnancy_ended', 'died', 'left_clinic']) expect(keys).toContain(`plan_closure.${code}`);
    const callStatuses = ['registered', 'passed_to_ambulance', 'served', 'passed_to_doctor', 'hospitalized', 'not_at_home', 'cancelled'];
    for (const code of callStatuses) expect(keys).toContain(`call_status.${code}`);
    const reasons2 = [
      'emergency_sign', 'danger_to_others', 'post_vaccination_deterioration', 'high_temperature', 'registrar_judgement',
      'non_urgent', 'young_child', 'pregnancy',
    ];
    for (const code of reasons2) expect(keys).toContain(`triage_reason.${code}`);
    const purposes = [
      'child_patronage', 'newborn_patronage', 'progressive_patronage', 'antenatal_patronage', 'observation_nurse',
      'observation_doctor', 'observation_specialist', 'observation_tests',
    ];
    for (const code of purposes) expect(keys).toContain(`purpose.${code}`);
    // emhana_sync::SyncError::code and the keyring failure
    const syncErrors = ['offline', 'credential_refused', 'refused', 'server', 'store', 'answer_mismatch', 'bundle', 'keyring'];
    for (const code of syncErrors) expect(keys).toContain(`sync.error.${code}`);
    // the codes commands/sync.rs::enrol sends
    for (const code of ['bad_url', 'bad_enrolment_code', 'refused', 'unreachable', 'offline', 'server']) {
      expect(keys).toContain(`sync.${code}`);
    }
  });
});

describe('format', () => {
  it('fills placeholders and keeps unknown ones visible', () => {
    expect(format('{length} цифр, а в ИИН их 12', { length: 13 })).toBe('13 цифр, а в ИИН их 12');
    expect(format('{missing}', {})).toBe('{missing}');
  });

  it('says what is wrong with an IIN in the chosen language', () => {
    expect(translate('ru', 'identifier.wrong_check_digit', { expected: 8 })).toContain('должна быть 8');
    expect(translate('kk', 'identifier.wrong_check_digit', { expected: 8 })).toContain('8 болуы керек');
  });
});

describe('numbers and plurals', () => {
  it('group thousands from five digits on, and leave a year whole', () => {
    expect(formatNumber(18307)).toBe('18\u00a0307');
    expect(formatNumber(1190000)).toBe('1\u00a0190\u00a0000');
    expect(formatNumber(2026)).toBe('2026');
    expect(formatNumber(37.5)).toBe('37,5');
    expect(translate('ru', 'register_screen.total', { n: 18307 })).toBe('Найдено: 18\u00a0307');
    expect(translate('ru', 'settings.campaign', { year: 2026 })).toBe('Кампания прикрепления 2026');
  });

  it('give an age the form its count takes in Russian, and the one Kazakh form', () => {
    const cases: [number, string][] = [[1, '1 год'], [3, '3 года'], [5, '5 лет'], [11, '11 лет'], [21, '21 год'],
      [22, '22 года'], [61, '61 год'], [65, '65 лет'], [112, '112 лет']];
    for (const [n, expected] of cases) expect(translate('ru', 'card.years', { n }), String(n)).toBe(expected);
    expect(translate('kk', 'card.years', { n: 61 })).toBe('61 жас');
    expect(format('{n:год|года|лет}', {}, 'ru')).toBe('{n:год|года|лет}');
  });

  it('have every Russian noun after a count in the form its count takes', () => {
    // A count written before a word ("{n} жителей") reads wrong for 1, 3 or 21 unless the
    // word's three forms are given. A label ("Найдено: {n}"), a preposition or an
    // abbreviation after the count needs none.
    const counts = ['n', 'count', 'limit', 'attached', 'norm', 'days', 'weeks', 'months', 'years', 'minutes', 'stops'];
    const unchanged = ['из', 'при', 'мес.', 'и', '·', '—', '–'];
    for (const [key, text] of Object.entries(ru)) {
      for (const match of text.matchAll(/\{(\w+)\}\s+(\S+)/g)) {
        const [, name, word] = match;
        if (!counts.includes(name) || unchanged.includes(word) || !/^[а-яё]/i.test(word)) continue;
        expect.fail(`${key}: "{${name}} ${word}" needs {${name}:one|few|many}`);
      }
    }
    expect(translate('ru', 'first_run.text', { n: 20000 })).toContain('20\u00a0000 жителей');
    expect(translate('ru', 'attach.campaign', { year: 2026, first: '', last: '', limit: 2 })).toContain('2 раза в год');
    expect(translate('ru', 'attach.campaign', { year: 2026, first: '', last: '', limit: 1 })).toContain('1 раз в год');
  });
});
