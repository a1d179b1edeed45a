// Typed calls to the desktop shell's commands. The UI decides no business rule:
// classification of the typed text, validation and ranking happen in the core.
import { invoke } from '@tauri-apps/api/core';
import type { Language } from '../i18n/index.svelte';

export interface CommandError {
  code: string;
  message: string;
  details: Record<string, unknown> | null;
}

export interface ClinicSummary {
  bin: string;
  name_kk: string;
  name_ru: string;
  address: string;
  districts: number;
  staff: number;
}

export interface StoreStatus {
  path: string;
  clinic: ClinicSummary | null;
  persons: number;
}

export interface Startup {
  status: StoreStatus;
  language: Language | null;
  /** The date in Kazakhstan by the app's clock. */
  today: string;
}

export type Sex = 'male' | 'female';

export interface PersonHit {
  id: number;
  iin: string;
  full_name: string;
  birth_date: string;
  sex: Sex;
  address: string | null;
  phone: string | null;
  matched: 'iin' | 'phone' | 'name';
}

export interface Notice {
  code: string;
  [detail: string]: unknown;
}

/** What a typed IIN carries: birth date and sex (when its digits hold them), or its problem. */
export interface IinReading {
  birth: { birth_date: string; sex: Sex } | null;
  problem: Notice | null;
}

export interface SearchOutcome {
  hits: PersonHit[];
  notice: Notice | null;
}

export interface HouseholdMember {
  id: number;
  iin: string;
  full_name: string;
  birth_date: string;
  age: number | null;
  sex: Sex;
}

export interface PersonCard extends HouseholdMember {
  citizenship: string;
  address: string | null;
  phone: string | null;
  iin_agrees: boolean;
  household: HouseholdMember[];
}

export interface Address {
  settlement: string;
  street: string;
  house: string;
  apartment: string | null;
}

export type DocumentKind = 'id_card' | 'passport' | 'birth_certificate' | 'other';
export type Citizenship = 'citizen' | 'kandas' | 'foreign_permanent_resident' | 'other';
export const DOCUMENT_KINDS: DocumentKind[] = ['id_card', 'passport', 'birth_certificate', 'other'];
export const CITIZENSHIPS: Citizenship[] = ['citizen', 'kandas', 'foreign_permanent_resident', 'other'];

/** The registration form as typed; the core checks it (see domain::registration). */
export interface RegistrationForm {
  iin: string;
  surname: string;
  first_name: string;
  patronymic: string;
  birth_date: string | null;
  sex: Sex | null;
  citizenship: Citizenship | null;
  document_kind: DocumentKind | null;
  document_number: string;
  document_issued_on: string | null;
  registered_address: Address | null;
  temporary_address: Address | null;
  workplace: string;
  phone: string;
  mother_iin: string;
}

/** One problem at one field, as the core reports it. */
export interface FieldError {
  field: string;
  problem: { code: string; [detail: string]: unknown };
}

export type Channel = 'in_person' | 'in_writing' | 'portal' | 'public_service_centre';
export type Ground =
  | 'first_attachment' | 'free_choice' | 'change_of_residence'
  | 'change_of_work_or_study' | 'clinic_reorganization' | 'border_area';
export const CHANNELS: Channel[] = ['in_person', 'in_writing', 'portal', 'public_service_centre'];
export const GROUNDS: Ground[] = [
  'first_attachment', 'free_choice', 'change_of_residence', 'change_of_work_or_study', 'clinic_reorganization', 'border_area',
];
export type DistrictKind = 'therapeutic' | 'pediatric' | 'general_practice';

export interface Campaign {
  year: number;
  first_day: string;
  last_day: string;
  free_choice_limit: number;
  takes_effect: 'decision_day' | 'next_january_first';
}

export interface AttachmentOptions {
  person_id: number;
  full_name: string;
  iin: string;
  document_kind: DocumentKind | null;
  document_number: string | null;
  current: {
    clinic_name_kk: string;
    clinic_name_ru: string;
    here: boolean;
    district_number: number | null;
    started_on: string;
  } | null;
  suggestion: { district_id: number; source: 'chosen' | 'household' | 'address' } | null;
  districts: { id: number; number: number; kind: DistrictKind; doctor: string | null; attached: number; norm: number }[];
  registrars: { id: number; full_name: string }[];
  campaign: Campaign;
  today: string;
}

export interface ConsentForm {
  given: boolean | null;
  valid_until: string | null;
  third_parties: boolean;
  cross_border: boolean;
  publication: boolean;
}

export interface ApplicationForm {
  person_id: number;
  channel: Channel;
  ground: Ground;
  district_id: number | null;
  document_kind: DocumentKind | null;
  document_number: string;
  consent: ConsentForm;
  registrar_id: number | null;
  /** Where the person moved (a change of residence). */
  new_residence: { address: Address; temporary: boolean } | null;
}

export type Decision =
  | { outcome: 'attach'; decided_on: string; effective_on: string; ends: number | null }
  | { outcome: 'refuse'; decided_on: string; ground: string };

export interface ApplicationOutcome {
  application_id: number;
  application_number: string;
  decision: Decision;
  district_number: number;
  list_norm_exceeded: { attached: number; norm: number } | null;
}

export interface AttachmentEntry {
  clinic_name_kk: string;
  clinic_name_ru: string;
  here: boolean;
  district_number: number | null;
  ground: Ground;
  decided_on: string;
  started_on: string;
  ended_on: string | null;
  end_reason: string | null;
  application_id: number | null;
}

export interface SyncEnrolment {
  registry_url: string;
  workstation_id: string;
  clinic_bin: string;
  enrolled_at: string;
}

export interface SyncOverview {
  enrolment: SyncEnrolment | null;
  local: number;
  sent: number;
  confirmed: number;
  rejected: number;
  needs_attention: number;
  last_push_at: string | null;
  last_pull_at: string | null;
  first_sync: { applied: number; remaining: number | null; done_at: string | null };
}

export type SyncProgress =
  | { phase: 'pushing'; sent: number }
  | { phase: 'pulling'; applied: number; remaining: number | null; seconds_left: number | null };

export interface SyncStatus {
  online: boolean;
  running: boolean;
  progress: SyncProgress | null;
  last_success_at: string | null;
  last_error_code: string | null;
  last_error: string | null;
  failures: number;
}

export interface SyncView {
  overview: SyncOverview;
  status: SyncStatus;
}

export type RejectGround =
  | { code: 'attachment_refused'; refusal: RefusalGround }
  | { code: 'already_attached_here'; district_number: number | null }
  | { code: 'not_attached_here' | 'slot_taken' | 'booking_not_found' | 'unknown_person' | 'made_in_future' }
  | { code: 'unknown_district'; district_number: number }
  | { code: 'malformed'; detail: string };

export type AttentionAction = 'print_refusal' | 'pick_another_slot' | 'check_person_card' | 'call_administrator';

export interface AttentionItem {
  op: string;
  kind: 'attach' | 'detach' | 'book' | 'cancel_booking';
  made_at: string;
  answered_at: string | null;
  ground: RejectGround;
  person_id: number | null;
  person_name: string | null;
  iin: string | null;
  application_id: number | null;
  application_number: string | null;
  action: AttentionAction;
}

export interface Printed {
  path: string;
  opened: boolean;
}

/** Bytes as base64 text, for a file sent to the core as JSON. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // in slices: String.fromCharCode takes a bounded number of arguments
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** An ops file written for a post to carry to the registry (crates/sync bundle). */
export interface ExportedBundle {
  path: string;
  ops: number;
}

/** What an answers file from the registry changed here. */
export interface ImportedAnswers {
  confirmed: number;
  rejected: number;
  changes: number;
  feed_skipped: boolean;
  feed_incomplete: boolean;
}

export type AgeGroup = 'under_1' | '1_to_4' | '5_to_17' | '18_to_64' | '65_plus';
export const AGE_GROUPS: AgeGroup[] = ['under_1', '1_to_4', '5_to_17', '18_to_64', '65_plus'];

export interface RegisterFilter {
  district_id: number | null;
  age_group: AgeGroup | null;
  sex: Sex | null;
  attached_since: string | null;
}

export interface RegisterPage {
  today: string;
  total: number;
  districts: { district_id: number; number: number; kind: DistrictKind; attached: number }[];
  rows: {
    person_id: number; iin: string; full_name: string; birth_date: string; sex: Sex;
    district_number: number; started_on: string; address: string | null;
  }[];
  campaign: Campaign;
  inflow: number;
  outflow: number;
}

export interface ListNorms {
  therapeutic: number;
  pediatric: number;
  general_practice: number;
}

export interface AttachmentReference {
  campaign: Campaign;
  campaign_is_default: boolean;
  list_norms: ListNorms;
}

// ---------------------------------------------------------------- appointments

export type VisitCategory =
  | 'disease' | 'injury' | 'dynamic_observation' | 'medico_social' | 'administrative' | 'prevention';
/** Seed 000's reasons of a visit, grouped by category (the order the form lists them in). */
export const VISIT_REASONS: [VisitCategory, string[]][] = [
  ['disease', ['acute_or_exacerbation', 'suspected_socially_significant', 'remote_consultation', 'active_visit',
    'rehabilitation', 'dental_care']],
  ['injury', ['acute_injury', 'injury_aftereffects']],
  ['dynamic_observation', ['chronic_disease_observation']],
  ['medico_social', ['medico_social_support', 'psychological_support']],
  ['administrative', ['disability_assessment_papers', 'prescription']],
  ['prevention', ['preventive_visit', 'immunization', 'screening', 'patronage', 'family_planning',
    'antenatal_postnatal', 'school_health', 'healthy_lifestyle', 'paid_checkup', 'dental_services']],
];
export type BookingChannel = 'in_person' | 'phone' | 'portal';
export const BOOKING_CHANNELS: BookingChannel[] = ['in_person', 'phone', 'portal'];
export type BookingStatus = 'booked' | 'arrived' | 'no_show' | 'cancelled' | 'moved';
export type SessionKind = 'reception' | 'home_visits' | 'break';
export const SESSION_KINDS: SessionKind[] = ['reception', 'home_visits', 'break'];
export type ExceptionKind = 'leave' | 'sick_leave' | 'training' | 'changed_hours';
export const EXCEPTION_KINDS: ExceptionKind[] = ['leave', 'sick_leave', 'training', 'changed_hours'];
export type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';
export const WEEKDAYS: Weekday[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface Doctor {
  id: number;
  iin: string;
  full_name: string;
  role: string;
  specialty: string | null;
  district_number: number | null;
}

/** Times are Kazakhstan wall-clock times: "2026-11-25T09:30:00". */
export interface Slot {
  starts: string;
  ends: string;
  room: string | null;
}

export interface BookingView {
  id: number;
  number: string;
  person_id: number;
  person_name: string;
  iin: string;
  phone: string | null;
  staff_id: number;
  doctor: string;
  starts_at: string;
  ends_at: string;
  room: string | null;
  reason: string;
  channel: BookingChannel;
  status: BookingStatus;
  provisional: boolean;
  moved_from: number | null;
  made_at: string;
}

export interface BookingDetail {
  booking: BookingView;
  history: { at: string; status: BookingStatus; staff: string | null; note: string | null }[];
}

export type PersonStanding =
  | { standing: 'attached_here' | 'not_attached' | 'deceased' }
  | { standing: 'attached_elsewhere'; clinic: { bin: string; name_kk: string; name_ru: string } | null };

export interface BookingRefusal {
  code: string;
  [detail: string]: unknown;
}

export interface BookingOptions {
  person_id: number;
  person_name: string;
  iin: string;
  standing: PersonStanding;
  refusal: BookingRefusal | null;
  doctors: Doctor[];
  district_doctor_id: number | null;
  free: Slot[];
  upcoming: BookingView[];
  registrars: { id: number; full_name: string }[];
}

export interface BookingForm {
  person_id: number;
  staff_id: number;
  starts_at: string;
  reason: string;
  channel: BookingChannel;
  registrar_id: number | null;
}

export type DayClosed =
  | { reason: 'calendar' | 'not_scheduled' }
  | { reason: 'exception'; kind: ExceptionKind };

export interface Session {
  weekday: Weekday;
  starts: string;
  ends: string;
  kind: SessionKind;
  slot_minutes: number;
  room: string | null;
}

export interface DoctorDay {
  doctor: Doctor;
  date: string;
  closed: DayClosed | null;
  sessions: Session[];
  rows: { starts: string; ends: string; room: string | null; booking: BookingView | null }[];
  off_schedule: BookingView[];
  counts: DayCounts;
}

export interface DayCounts {
  slots: number;
  booked: number;
  arrived: number;
  no_show: number;
  free: number;
}

export interface ClinicDayLine extends DayCounts {
  doctor: Doctor;
  closed: DayClosed | null;
  first_slot: string | null;
  last_slot_end: string | null;
}

export interface WeeklyTemplate {
  valid_from: string;
  sessions: Session[];
}

export interface ScheduleException {
  first_day: string;
  last_day: string;
  kind: ExceptionKind;
  sessions: Session[];
}

export interface ScheduleView {
  doctor: Doctor;
  templates: WeeklyTemplate[];
  exceptions: (ScheduleException & { id: number })[];
}

export interface ScheduleChange {
  displaced: BookingView[];
}

export interface CalendarDay {
  date: string;
  kind: 'holiday' | 'day_off' | 'working_day';
  works_as: Weekday | null;
  name: string;
}

export type SlipFormat = 'a6' | 'receipt80';

/** How rounds are timed: the first visit ("13:00:00"), the end of her hours, minutes a visit and between two. */
export interface RoundPace {
  starts: string;
  /** The end of her hours for home visits ("18:00:00"): the last visit is over by then. */
  ends: string;
  visit_minutes: number;
  travel_minutes: number;
}

export interface RulesInForce {
  triage_source: string;
  triage_valid_from: string;
  plan_source: string;
  plan_valid_from: string;
}

/** "2026-11-25T09:30:00" → "09:30". */
export function displayTime(local: string): string {
  return local.slice(11, 16);
}

/** The weekday of a date or local time ("2026-11-25…" → "Wed"). */
export function weekdayOf(local: string): Weekday {
  const sundayFirst: Weekday[] = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return sundayFirst[new Date(`${local.slice(0, 10)}T12:00:00Z`).getUTCDay()];
}

/** "2026-11-25T09:30:00" → "25.11.2026 09:30". */
export function displayLocal(local: string): string {
  return `${displayDate(local.slice(0, 10))} ${displayTime(local)}`;
}

// ---------------------------------------------------------------- home visits

export type Indication =
  | 'raised_blood_pressure' | 'infectious_contact' | 'rash' | 'post_vaccination_deterioration'
  | 'loss_of_consciousness' | 'bleeding' | 'sudden_sharp_deterioration';
export const INDICATIONS: Indication[] = [
  'raised_blood_pressure', 'infectious_contact', 'rash', 'post_vaccination_deterioration',
  'loss_of_consciousness', 'bleeding', 'sudden_sharp_deterioration',
];
export type Responder = 'nurse' | 'district_doctor' | 'ambulance';
/** In the order of escalation: a call may go up this list, never below the rules. */
export const RESPONDERS: Responder[] = ['nurse', 'district_doctor', 'ambulance'];
export type CallStatus =
  | 'registered' | 'passed_to_ambulance' | 'served' | 'passed_to_doctor' | 'hospitalized' | 'not_at_home' | 'cancelled';

export interface CallForm {
  person_id: number;
  caller: string;
  caller_phone: string | null;
  complaint: string;
  temperature: number | null;
  indications: Indication[];
  pregnant: boolean;
  registrar_wants_doctor: boolean;
  goes: Responder | null;
  registrar_id: number | null;
}

export interface Triage {
  goes: Responder;
  reasons: string[];
  always_at_home: boolean;
}

export interface CallPreview {
  triage: Triage;
  age_years: number;
  acceptance: 'taken' | 'emergency_only' | null;
  refusal: { code: string; [detail: string]: unknown } | null;
  rules_source: string;
  /** The person's last call, when this one would repeat it. */
  recent_call: { number: string; received_at: string; status: CallStatus } | null;
}

export interface CallView {
  id: number;
  number: string;
  person_id: number;
  person_name: string;
  iin: string;
  address: string | null;
  received_at: string;
  caller: string;
  caller_phone: string | null;
  complaint: string;
  temperature: number | null;
  /** Full years on the day of the call. */
  age_years: number;
  /** A doctor's call taken by a post's feldsher (her district has no doctor). */
  doctor_level: boolean;
  /** The person's previous call's number, when this one repeats it. */
  repeat_of: string | null;
  indications: Indication[];
  suggested: Responder;
  reasons: string[];
  goes: Responder;
  acceptance: 'taken' | 'emergency_only';
  planned_on: string;
  assigned_staff_id: number | null;
  assigned_staff: string | null;
  status: CallStatus;
  outcome_note: string | null;
}

export type Condition = 'arterial_hypertension' | 'chronic_heart_failure' | 'diabetes2';
export const CONDITIONS: Condition[] = ['arterial_hypertension', 'chronic_heart_failure', 'diabetes2'];
export type RiskLevel = 'low' | 'medium' | 'high' | 'very_high';
export const RISK_LEVELS: RiskLevel[] = ['low', 'medium', 'high', 'very_high'];
export type VisitState = 'planned' | 'due' | 'overdue' | 'closed';
export type VisitOutcome = 'done' | 'not_at_home' | 'refused' | 'moved';

export type PlanRequest =
  | { plan: 'newborn'; discharged: string; risk: boolean }
  | { plan: 'pregnancy'; reported: string; weeks_at_report: number }
  | { plan: 'observation'; condition: Condition; risk: RiskLevel; enrolled: string; basis: EnrolmentBasis };

export type PregnancyOutcome = 'birth' | 'other';

/** What nobody is assigned to today: a defect shown, never silent. */
export interface Unassigned {
  calls: CallView[];
  districts: { district_id: number; district_number: number; nurse_visits: number; doctor_visits: number }[];
}

/** Seed 000's three documents an enrolment in dynamic observation rests on. */
export type BasisDocument = 'district_doctor_conclusion' | 'specialist_conclusion' | 'discharge_summary';
export const BASIS_DOCUMENTS: BasisDocument[] = ['district_doctor_conclusion', 'specialist_conclusion', 'discharge_summary'];
export interface EnrolmentBasis {
  document: BasisDocument;
  dated: string;
}

export interface VisitView {
  id: number;
  plan_id: number;
  due_from: string;
  due_to: string;
  who: 'nurse' | 'district_doctor' | 'specialist' | 'tests';
  purpose: string;
  what: string | null;
  state: VisitState;
  outcome: VisitOutcome | null;
}

export interface PlanView {
  id: number;
  kind: 'child_patronage' | 'antenatal' | 'observation';
  event: { event: string; condition?: Condition; risk?: RiskLevel | boolean; [field: string]: unknown };
  visits: VisitView[];
  /** When and why the plan closed; null while open. */
  closed: {
    on: string;
    reason: 'completed' | 'pregnancy_ended' | 'died' | 'left_clinic';
    pregnancy_outcome: PregnancyOutcome | null;
  } | null;
}

export interface Nurse {
  id: number;
  full_name: string;
  role: string;
  district_id: number | null;
  district_number: number | null;
}

export type StopRef = { kind: 'visit'; id: number } | { kind: 'call'; id: number };

export interface RoundVisit {
  id: number;
  purpose: string;
  what: string | null;
  state: VisitState;
  outcome: VisitOutcome | null;
  /** An outcome recorded on the round's day, not undone. */
  recorded: boolean;
  /** A doctor's visit a post's feldsher makes. */
  doctor_level: boolean;
}

export interface RoundCall {
  id: number;
  number: string;
  complaint: string;
  temperature: number | null;
  caller_phone: string | null;
  status: CallStatus;
  /** A doctor's call taken by a post's feldsher. */
  doctor_level: boolean;
}

/** One person's stop: every call and visit due at their home. */
export interface RoundStop {
  stop: StopRef;
  estimated: string;
  person_id: number;
  person_name: string;
  iin: string;
  birth_date: string;
  age_years: number;
  age_months: number;
  address: string | null;
  phone: string | null;
  calls: RoundCall[];
  visits: RoundVisit[];
}

export interface RoundDay {
  day: string;
  stops: RoundStop[];
}

export interface DueVisit {
  visit: VisitView;
  person_id: number;
  person_name: string;
  address: string | null;
}

export interface RoundView {
  nurse_id: number;
  nurse: string;
  district_number: number | null;
  day: string;
  /** The day that fits her hours, calls first. */
  stops: RoundStop[];
  /** What did not fit, on the next working days. */
  later: RoundDay[];
  /** Stops waiting beyond those days. */
  beyond: number;
}

export const DEMO_PERSONS = 20000;

export const api = {
  startup: () => invoke<Startup>('startup'),
  readIin: (iin: string) => invoke<IinReading>('read_iin', { iin }),
  search: (text: string, limit = 30) => invoke<SearchOutcome>('search_persons', { text, limit }),
  personCard: (id: number) => invoke<PersonCard>('person_card', { id }),
  loadDemoClinic: () => invoke<StoreStatus>('load_demo_clinic'),
  setLanguage: (language: Language) => invoke<void>('set_language', { language }),
  registerPerson: (form: RegistrationForm, registrarId: number | null) =>
    invoke<number>('register_person', { form, registrarId }),
  attachmentOptions: (personId: number) => invoke<AttachmentOptions>('attachment_options', { personId }),
  applyForAttachment: (form: ApplicationForm) => invoke<ApplicationOutcome>('apply_for_attachment', { form }),
  attachmentHistory: (personId: number) => invoke<AttachmentEntry[]>('attachment_history', { personId }),
  attachedRegister: (filter: RegisterFilter, offset: number) =>
    invoke<RegisterPage>('attached_register', { filter, offset }),
  exportRegisterCsv: (filter: RegisterFilter) => invoke<Printed>('export_register_csv', { filter }),
  attachmentReference: () => invoke<AttachmentReference>('attachment_reference'),
  setCampaign: (campaign: Campaign) => invoke<void>('set_campaign', { campaign }),
  setListNorms: (norms: ListNorms) => invoke<void>('set_list_norms', { norms }),
  recordDeath: (personId: number, diedOn: string) => invoke<boolean>('record_death', { personId, diedOn }),
  syncView: () => invoke<SyncView>('sync_view'),
  enrol: (registryUrl: string, code: string) => invoke<SyncView>('enrol', { registryUrl, code }),
  syncNow: () => invoke<void>('sync_now'),
  needsAttention: () => invoke<AttentionItem[]>('needs_attention'),
  resolveAttention: (op: string) => invoke<boolean>('resolve_attention', { op, staffId: null }),
  exportBundle: () => invoke<ExportedBundle>('export_bundle'),
  importAnswers: (bytes: Uint8Array) => invoke<ImportedAnswers>('import_answers', { content: toBase64(bytes) }),
  printApplication: (applicationId: number, paper: 'decision' | 'consent', open: boolean) =>
    invoke<Printed>('print_application', { applicationId, paper, open }),
  doctors: () => invoke<Doctor[]>('doctors'),
  bookingOptions: (personId: number) => invoke<BookingOptions>('booking_options', { personId }),
  personBookings: (personId: number) => invoke<BookingView[]>('person_bookings', { personId }),
  freeSlots: (staffId: number, from: string | null, limit = 12) =>
    invoke<Slot[]>('free_slots', { staffId, from, limit }),
  book: (form: BookingForm) => invoke<BookingView>('book', { form }),
  moveBooking: (bookingId: number, staffId: number, startsAt: string, registrarId: number | null) =>
    invoke<BookingView>('move_booking', { bookingId, staffId, startsAt, registrarId }),
  setBookingStatus: (bookingId: number, status: BookingStatus) =>
    invoke<BookingView>('set_booking_status', { bookingId, status, staffId: null }),
  booking: (bookingId: number) => invoke<BookingDetail>('booking', { bookingId }),
  bookingJournal: (date: string) => invoke<BookingView[]>('booking_journal', { date }),
  doctorDay: (staffId: number, date: string | null) => invoke<DoctorDay>('doctor_day', { staffId, date }),
  clinicDay: (date: string | null) => invoke<ClinicDayLine[]>('clinic_day', { date }),
  displacedBookings: () => invoke<BookingView[]>('displaced_bookings'),
  printSlip: (bookingId: number, open: boolean) => invoke<Printed>('print_slip', { bookingId, open }),
  printDayList: (staffId: number, date: string, open: boolean) =>
    invoke<Printed>('print_day_list', { staffId, date, open }),
  schedule: (staffId: number) => invoke<ScheduleView>('schedule', { staffId }),
  setScheduleTemplate: (staffId: number, template: WeeklyTemplate) =>
    invoke<ScheduleChange>('set_schedule_template', { staffId, template }),
  addScheduleException: (staffId: number, exception: ScheduleException) =>
    invoke<ScheduleChange>('add_schedule_exception', { staffId, exception }),
  removeScheduleException: (exceptionId: number) =>
    invoke<ScheduleChange>('remove_schedule_exception', { exceptionId }),
  calendarYear: (year: number | null) => invoke<CalendarDay[]>('calendar_year', { year }),
  setCalendarYear: (year: number, days: CalendarDay[]) => invoke<ScheduleChange>('set_calendar_year', { year, days }),
  previewCall: (form: CallForm) => invoke<CallPreview>('preview_call', { form }),
  registerCall: (form: CallForm) => invoke<CallView>('register_call', { form }),
  callsOn: (day: string | null) => invoke<CallView[]>('calls_on', { day }),
  setCallStatus: (callId: number, status: CallStatus, staffId: number | null, note: string | null) =>
    invoke<CallView>('set_call_status', { callId, status, staffId, note }),
  openPlan: (personId: number, request: PlanRequest) => invoke<PlanView>('open_plan', { personId, request }),
  unassigned: () => invoke<Unassigned>('unassigned'),
  endPregnancy: (planId: number, outcome: PregnancyOutcome, ended: string) =>
    invoke<PlanView>('end_pregnancy', { planId, outcome, ended }),
  changePlanRisk: (planId: number, risk: RiskLevel) => invoke<PlanView>('change_plan_risk', { planId, risk }),
  personPlans: (personId: number) => invoke<PlanView[]>('person_plans', { personId }),
  nurses: () => invoke<Nurse[]>('nurses'),
  round: (nurseId: number, day: string | null) => invoke<RoundView>('round', { nurseId, day }),
  reorderRound: (nurseId: number, day: string, order: StopRef[]) =>
    invoke<RoundView>('reorder_round', { nurseId, day, order }),
  recordVisitOutcome: (visitId: number, outcome: VisitOutcome, movedTo: string | null, nurseId: number, note: string | null) =>
    invoke<VisitView>('record_visit_outcome', { visitId, outcome, movedTo, nurseId, note }),
  undoVisitOutcome: (visitId: number, nurseId: number) => invoke<VisitView>('undo_visit_outcome', { visitId, nurseId }),
  printRound: (nurseId: number, day: string, open: boolean) => invoke<Printed>('print_round', { nurseId, day, open }),
  dueVisits: (districtId: number, day: string | null) => invoke<DueVisit[]>('due_visits', { districtId, day }),
  rulesInForce: () => invoke<RulesInForce>('rules_in_force'),
  roundPace: () => invoke<RoundPace>('round_pace'),
  setRoundPace: (pace: RoundPace) => invoke<void>('set_round_pace', { pace }),
  slipFormat: () => invoke<SlipFormat>('slip_format'),
  setSlipFormat: (format: SlipFormat) => invoke<void>('set_slip_format', { format }),
};

/** Whatever a command rejected with, as a CommandError. */
export function asCommandError(error: unknown): CommandError {
  if (error && typeof error === 'object' && 'code' in error) return error as CommandError;
  return { code: 'error.unknown', message: String(error), details: null };
}

/** An instant as a clock in Kazakhstan shows it (UTC+5): "01.10.2026 10:30". */
export function displayInstant(iso: string): string {
  const local = new Date(new Date(iso).getTime() + 5 * 3600 * 1000).toISOString();
  return `${displayDate(local.slice(0, 10))} ${local.slice(11, 16)}`;
}

/** "1978-03-22" → "22.03.1978", as dates are written in Kazakhstan. */
export function displayDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

/** The field problems of a `form.fields` error, keyed by field; empty for any other error. */
export function fieldErrors(error: CommandError | null): Record<string, FieldError['problem']> {
  const errors = (error?.code === 'form.fields' ? error.details?.errors : null) as FieldError[] | null;
  const byField: Record<string, FieldError['problem']> = {};
  for (const e of errors ?? []) byField[e.field] ??= e.problem;
  return byField;
}
