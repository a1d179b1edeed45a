// Typed calls to the desktop shell's commands. The UI decides no business rule:
// classification of the typed text, validation and ranking happen in the core.
import { invoke } from '@tauri-apps/api/core';
import type {
  AuditCheck,
  CommandName,
  Language,
  Weekday,
  ApplicationForm,
  ApplicationOutcome,
  AttachmentEntry,
  AttachmentOptions,
  AttachmentReference,
  AttentionItem,
  BookingDetail,
  BookingForm,
  BookingOptions,
  BookingStatus,
  BookingView,
  CalendarDay,
  CallForm,
  CallPreview,
  CallStatus,
  CallView,
  Campaign,
  ClinicDayLine,
  CommandError,
  Doctor,
  DoctorDay,
  DueVisit,
  ExportedBundle,
  FieldError,
  IinReading,
  ImportedAnswers,
  ListNorms,
  Nurse,
  OrganizationChange,
  OrganizationView,
  PersonCard,
  PersonChange,
  LookupOutcome,
  Month,
  OsmsView,
  PlanRequest,
  PlanView,
  PostCallView,
  PostPlanView,
  PregnancyOutcome,
  Printed,
  RegisterFilter,
  RegisterPage,
  RegistrationForm,
  RiskLevel,
  RoundPace,
  RoundView,
  RulesInForce,
  ScheduleChange,
  ScheduleException,
  ScheduleView,
  SearchOutcome,
  SlipFormat,
  Slot,
  Startup,
  SessionState,
  DemoSignIn,
  DemoStaff,
  StopRef,
  StoreStatus,
  SyncView,
  Unassigned,
  VisitHistoryEvent,
  VisitOutcome,
  VisitView,
  WeeklyTemplate,
} from './bindings';
import { KAZAKHSTAN_UTC_OFFSET_HOURS } from './bindings';

// Every type, value list and code list comes from the Rust types (bindings.ts, generated).
export * from './bindings';

/** Bytes as base64 text, for a file sent to the core as JSON. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // in slices: String.fromCharCode takes a bounded number of arguments
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// ---------------------------------------------------------------- appointments

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

export const DEMO_PERSONS = 20000;

/** A command of the shell, by a name it answers to (bindings.ts lists them). */
function call<T>(command: CommandName, args?: Record<string, unknown>): Promise<T> {
  return invoke<T>(command, args);
}

export const api = {
  startup: () => call<Startup>('startup'),
  sessionState: () => call<SessionState>('session_state'),
  signIn: (iin: string, password: string) => call<SessionState>('sign_in', { iin, password }),
  unlock: (password: string) => call<SessionState>('unlock', { password }),
  lock: () => call<void>('lock'),
  signOut: () => call<void>('sign_out'),
  stillHere: () => call<SessionState>('still_here'),
  setLockAfter: (minutes: number) => call<void>('set_lock_after', { minutes }),
  documentsKeptHours: () => call<number>('documents_kept_hours'),
  setDocumentsKeptHours: (hours: number) => call<void>('set_documents_kept_hours', { hours }),
  verifyAudit: () => call<AuditCheck>('verify_audit'),
  readIin: (iin: string) => call<IinReading>('read_iin', { iin }),
  search: (text: string, limit = 30) => call<SearchOutcome>('search_persons', { text, limit }),
  personCard: (id: number) => call<PersonCard>('person_card', { id }),
  changePerson: (personId: number, change: PersonChange) =>
    call<null>('change_person', { personId, change }),
  lookUpPerson: (iin: string) => call<LookupOutcome>('look_up_person', { iin }),
  personOsms: (id: number) => call<OsmsView>('person_osms', { id }),
  printOsmsStatement: (id: number, consentGiven: boolean, open: boolean) =>
    call<Printed>('print_osms_statement', { id, consentGiven, open }),
  loadDemoClinic: () => call<StoreStatus>('load_demo_clinic'),
  organization: () => call<OrganizationView>('organization'),
  changeOrganization: (unitBin: string | null, change: OrganizationChange) =>
    call<null>('change_organization', { unitBin, change }),
  setLanguage: (language: Language) => call<void>('set_language', { language }),
  registerPerson: (form: RegistrationForm) => call<number>('register_person', { form }),
  attachmentOptions: (personId: number) => call<AttachmentOptions>('attachment_options', { personId }),
  applyForAttachment: (form: ApplicationForm) => call<ApplicationOutcome>('apply_for_attachment', { form }),
  attachmentHistory: (personId: number) => call<AttachmentEntry[]>('attachment_history', { personId }),
  attachedRegister: (filter: RegisterFilter, offset: number) =>
    call<RegisterPage>('attached_register', { filter, offset }),
  exportRegisterCsv: (filter: RegisterFilter) => call<Printed>('export_register_csv', { filter }),
  attachmentReference: () => call<AttachmentReference>('attachment_reference'),
  setCampaign: (campaign: Campaign) => call<void>('set_campaign', { campaign }),
  setListNorms: (norms: ListNorms) => call<void>('set_list_norms', { norms }),
  recordDeath: (personId: number, diedOn: string) => call<boolean>('record_death', { personId, diedOn }),
  syncView: () => call<SyncView>('sync_view'),
  enrol: (registryUrl: string, code: string) => call<SyncView>('enrol', { registryUrl, code }),
  syncNow: () => call<void>('sync_now'),
  needsAttention: () => call<AttentionItem[]>('needs_attention'),
  resolveAttention: (op: string) => call<boolean>('resolve_attention', { op }),
  exportBundle: () => call<ExportedBundle>('export_bundle'),
  importAnswers: (bytes: Uint8Array) => call<ImportedAnswers>('import_answers', { content: toBase64(bytes) }),
  printApplication: (applicationId: number, paper: 'decision' | 'consent', open: boolean) =>
    call<Printed>('print_application', { applicationId, paper, open }),
  doctors: () => call<Doctor[]>('doctors'),
  bookingOptions: (personId: number) => call<BookingOptions>('booking_options', { personId }),
  personBookings: (personId: number) => call<BookingView[]>('person_bookings', { personId }),
  freeSlots: (staffId: number, from: string | null, limit = 12) =>
    call<Slot[]>('free_slots', { staffId, from, limit }),
  book: (form: BookingForm) => call<BookingView>('book', { form }),
  moveBooking: (bookingId: number, staffId: number, startsAt: string) =>
    call<BookingView>('move_booking', { bookingId, staffId, startsAt }),
  setBookingStatus: (bookingId: number, status: BookingStatus) =>
    call<BookingView>('set_booking_status', { bookingId, status }),
  booking: (bookingId: number) => call<BookingDetail>('booking', { bookingId }),
  bookingJournal: (date: string) => call<BookingView[]>('booking_journal', { date }),
  doctorDay: (staffId: number, date: string | null) => call<DoctorDay>('doctor_day', { staffId, date }),
  clinicDay: (date: string | null) => call<ClinicDayLine[]>('clinic_day', { date }),
  displacedBookings: () => call<BookingView[]>('displaced_bookings'),
  printSlip: (bookingId: number, open: boolean) => call<Printed>('print_slip', { bookingId, open }),
  printDayList: (staffId: number, date: string, open: boolean) =>
    call<Printed>('print_day_list', { staffId, date, open }),
  schedule: (staffId: number) => call<ScheduleView>('schedule', { staffId }),
  setScheduleTemplate: (staffId: number, template: WeeklyTemplate) =>
    call<ScheduleChange>('set_schedule_template', { staffId, template }),
  addScheduleException: (staffId: number, exception: ScheduleException) =>
    call<ScheduleChange>('add_schedule_exception', { staffId, exception }),
  removeScheduleException: (exceptionId: number) =>
    call<ScheduleChange>('remove_schedule_exception', { exceptionId }),
  calendarYear: (year: number | null) => call<CalendarDay[]>('calendar_year', { year }),
  setCalendarYear: (year: number, days: CalendarDay[]) => call<ScheduleChange>('set_calendar_year', { year, days }),
  previewCall: (form: CallForm) => call<CallPreview>('preview_call', { form }),
  registerCall: (form: CallForm) => call<CallView>('register_call', { form }),
  callsOn: (day: string | null) => call<CallView[]>('calls_on', { day }),
  setCallStatus: (callId: number, status: CallStatus, note: string | null) =>
    call<CallView>('set_call_status', { callId, status, note }),
  reassignCall: (callId: number, staffId: number) => call<CallView>('reassign_call', { callId, staffId }),
  postCalls: (day: string | null) => call<PostCallView[]>('post_calls', { day }),
  postPlans: () => call<PostPlanView[]>('post_plans'),
  postCallStaff: (callId: string) => call<Nurse[]>('post_call_staff', { callId }),
  reassignPostCall: (callId: string, staffId: number) =>
    call<PostCallView>('reassign_post_call', { callId, staffId }),
  openPlan: (personId: number, request: PlanRequest) => call<PlanView>('open_plan', { personId, request }),
  unassigned: () => call<Unassigned>('unassigned'),
  endPregnancy: (planId: number, outcome: PregnancyOutcome, ended: string) =>
    call<PlanView>('end_pregnancy', { planId, outcome, ended }),
  changePlanRisk: (planId: number, risk: RiskLevel) => call<PlanView>('change_plan_risk', { planId, risk }),
  personPlans: (personId: number) => call<PlanView[]>('person_plans', { personId }),
  nurses: () => call<Nurse[]>('nurses'),
  round: (nurseId: number, day: string | null) => call<RoundView>('round', { nurseId, day }),
  reorderRound: (nurseId: number, day: string, order: StopRef[]) =>
    call<RoundView>('reorder_round', { nurseId, day, order }),
  recordVisitOutcome: (visitId: number, outcome: VisitOutcome, movedTo: string | null, nurseId: number, note: string | null) =>
    call<VisitView>('record_visit_outcome', { visitId, outcome, movedTo, nurseId, note }),
  undoVisitOutcome: (visitId: number, nurseId: number) => call<VisitView>('undo_visit_outcome', { visitId, nurseId }),
  visitHistory: (visitId: number) => call<VisitHistoryEvent[]>('visit_history', { visitId }),
  printRound: (nurseId: number, day: string, open: boolean) => call<Printed>('print_round', { nurseId, day, open }),
  dueVisits: (districtId: number, day: string | null) => call<DueVisit[]>('due_visits', { districtId, day }),
  rulesInForce: () => call<RulesInForce>('rules_in_force'),
  roundPace: () => call<RoundPace>('round_pace'),
  setRoundPace: (pace: RoundPace) => call<void>('set_round_pace', { pace }),
  slipFormat: () => call<SlipFormat>('slip_format'),
  setSlipFormat: (format: SlipFormat) => call<void>('set_slip_format', { format }),
};

/** Whatever a command rejected with, as a CommandError. */
export function asCommandError(error: unknown): CommandError {
  if (error && typeof error === 'object' && 'code' in error) return error as CommandError;
  return { code: 'error.unknown', message: String(error), details: null };
}

/** An instant as a clock in Kazakhstan shows it (UTC+5, the core's offset): "01.10.2026 10:30". */
export function displayInstant(iso: string): string {
  const local = new Date(new Date(iso).getTime() + KAZAKHSTAN_UTC_OFFSET_HOURS * 3600 * 1000).toISOString();
  return `${displayDate(local.slice(0, 10))} ${local.slice(11, 16)}`;
}

/** An amount in tiyn as tenge are written in Kazakhstan: 425050 → "4 250,50" (a no-break space between thousands). */
export function displayTenge(tiyn: number): string {
  const sign = tiyn < 0 ? '-' : '';
  const whole = String(Math.trunc(Math.abs(tiyn) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${sign}${whole},${String(Math.abs(tiyn) % 100).padStart(2, '0')}`;
}

/** A month paid for, as the statement writes its period: "10.2026". */
export function displayMonth(month: Month): string {
  return `${String(month.month).padStart(2, '0')}.${month.year}`;
}

/** "1978-03-22" → "22.03.1978", as dates are written in Kazakhstan. */
export function displayDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

/** The field problems of a `form.fields` error, keyed by field; empty for any other error. */
export function fieldErrors(error: CommandError | null): Record<string, FieldError['problem']> {
  const details = error?.code === 'form.fields' ? (error.details as { errors?: FieldError[] } | null) : null;
  const errors = details?.errors ?? null;
  const byField: Record<string, FieldError['problem']> = {};
  for (const e of errors ?? []) byField[e.field] ??= e.problem;
  return byField;
}
