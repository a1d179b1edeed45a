// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit: change the Rust
// type, then EMHANA_WRITE_BINDINGS=1 cargo test --workspace --features custom-protocol --bin emhana bindings

export type Action = "register_person" | "attach" | "detach" | "record_death" | "book" | "take_call" | "dispatch_call" | "record_call_status" | "plan_care" | "record_visit" | "order_round" | "edit_schedule" | "edit_calendar" | "edit_settings" | "edit_organization" | "manage_accounts" | "export_register" | "export_bundle" | "see_any_district" | "read_audit" | "read_insurance";

export type Address = { settlement: string, street: string, house: string, apartment: string | null, };

export type AgeGroup = "under_1" | "1_to_4" | "5_to_17" | "18_to_64" | "65_plus";

export type ApplicationForm = { person_id: number, channel: Channel, ground: AttachmentGround, 
/**
 * The district the person chose; `None` takes the suggested one.
 */
district_id: number | null, document_kind: DocumentKind | null, document_number: string, consent: ConsentForm, 
/**
 * Where the person moved to: asked for (and checked against the
 * districts' coverage) on a change of residence, written to the person
 * when the application attaches them.
 */
new_residence: NewResidence | null, };

export type ApplicationOutcome = { application_id: number, application_number: string, decision: Decision, district_number: number, 
/**
 * Set when the district's list has reached its norm (a warning, not a refusal).
 */
list_norm_exceeded: ListLoad | null, };

export type ApplicationPaper = "decision" | "consent";

export type Arrears = { 
/**
 * The unpaid months it pays for, oldest first: of the 12 before the
 * month of `pay_on`, those no payment pays for.
 */
months: Array<Month>, 
/**
 * One month's contribution: 5 % of the year's minimum wage, in tiyn.
 */
per_month_tiyn: number, total_tiyn: number, 
/**
 * The year whose minimum wage it is computed from (the year of `pay_on`).
 */
wage_year: number, };

export type AttachmentEntry = { clinic_name_kk: string, clinic_name_ru: string, here: boolean, district_number: number | null, ground: string, decided_on: string, started_on: string, ended_on: string | null, end_reason: string | null, application_id: number | null, };

export type AttachmentGround = "first_attachment" | "free_choice" | "change_of_residence" | "change_of_work_or_study" | "clinic_reorganization" | "border_area";

export type AttachmentOptions = { person_id: number, full_name: string, iin: string, document_kind: DocumentKind | null, document_number: string | null, current: CurrentAttachment | null, suggestion: DistrictSuggestion | null, districts: Array<DistrictOption>, campaign: Campaign, today: string, };

export type AttachmentReference = { campaign: Campaign, 
/**
 * True while the year has no campaign of its own: seed 000's window applies.
 */
campaign_is_default: boolean, list_norms: ListNorms, };

export type AttentionAction = "print_refusal" | "pick_another_slot" | "check_person_card" | "call_administrator" | "check_call" | "check_booking" | "check_schedule" | "check_plan" | "check_settings" | "check_organization";

export type AttentionItem = { op: string, kind: string, made_at: string, answered_at: string | null, ground: RejectGround, person_id: number | null, person_name: string | null, iin: string | null, application_id: number | null, 
/**
 * "2026/14", as on the ticket.
 */
application_number: string | null, 
/**
 * The call the op was about, "2026/2-41", as in the journal.
 */
call_number: string | null, action: AttentionAction, };

export type AuditCheck = { 
/**
 * Rows in the chain (written since the log was chained).
 */
rows: number, 
/**
 * Rows written before the log was chained, which carry no hash.
 */
unchained: number, 
/**
 * The chain's last row and its hash: what the registry is sent.
 */
head: [number, string] | null, 
/**
 * The first row where the chain breaks, if it does.
 */
broken: BrokenLink | null, };

export type BasisDocument = "district_doctor_conclusion" | "specialist_conclusion" | "discharge_summary";

export type BookingChannel = "in_person" | "phone" | "portal";

export type BookingDetail = { booking: BookingView, history: Array<BookingEvent>, };

export type BookingEvent = { at: string, status: BookingStatus, staff: string | null, note: string | null, };

export type BookingForm = { person_id: number, staff_id: number, starts_at: string, reason: VisitReason, channel: BookingChannel, };

export type BookingOptions = { person_id: number, person_name: string, iin: string, standing: PersonStanding, 
/**
 * Why the person cannot be booked here at all, shown before any slot.
 */
refusal: BookingRefusal | null, doctors: Array<Doctor>, 
/**
 * The doctor of the person's own district (at a feldsher post, its
 * feldsher), preselected; none when the district has neither.
 */
district_doctor_id: number | null, 
/**
 * The preselected doctor's nearest free slots (12).
 */
free: Array<Slot>, 
/**
 * The person's bookings from today on, active ones first.
 */
upcoming: Array<BookingView>, };

export type BookingRefusal = { "code": "not_attached" } | { "code": "attached_elsewhere", clinic: OtherClinic | null, } | { "code": "person_deceased" } | { "code": "slot_in_past", starts: string, } | { "code": "outside_schedule", starts: string, } | { "code": "slot_taken", starts: string, } | { "code": "already_booked_that_day", existing: string, };

export type BookingStatus = "booked" | "arrived" | "no_show" | "cancelled" | "moved";

export type BookingView = { id: number, 
/**
 * "2026/17"
 */
number: string, person_id: number, person_name: string, iin: string, phone: string | null, staff_id: number, doctor: string, starts_at: string, ends_at: string, room: string | null, reason: VisitReason, channel: BookingChannel, status: BookingStatus, 
/**
 * True until the central registry confirms the slot.
 */
provisional: boolean, moved_from: number | null, made_at: string, };

export type BrokenLink = { 
/**
 * The row's number: where the chain should continue.
 */
seq: number, problem: LinkProblem, };

export type CalendarDay = { date: string, kind: DayKind, 
/**
 * For a [`DayKind::WorkingDay`]: whose weekday's schedule is kept.
 */
works_as: string | null, 
/**
 * The holiday's name, as printed ("Наурыз мейрамы").
 */
name: string, };

export type CallAcceptance = "taken" | "emergency_only";

export type CallForm = { person_id: number, caller: string, caller_phone: string | null, complaint: string, 
/**
 * °C at the time of the call.
 */
temperature: number | null, indications: Array<Indication>, pregnant: boolean, registrar_wants_doctor: boolean, 
/**
 * Who the registrar sends when above the rules' suggestion; `None`: as suggested.
 */
goes: Responder | null, };

export type CallPreview = { triage: Triage, age_years: number, acceptance: CallAcceptance | null, refusal: CallRefusal | null, 
/**
 * The order the triage table comes from.
 */
rules_source: string, 
/**
 * The person's last call when this one would repeat it: said before she records it.
 */
recent_call: RecentCall | null, };

export type CallRefusal = { "code": "not_attached" } | { "code": "attached_elsewhere", clinic: OtherClinic | null, };

export type CallStatus = "registered" | "passed_to_ambulance" | "served" | "passed_to_doctor" | "hospitalized" | "not_at_home" | "cancelled";

export type CallView = { id: number, 
/**
 * "2026/41"
 */
number: string, person_id: number, person_name: string, iin: string, address: string | null, received_at: string, caller: string, caller_phone: string | null, complaint: string, temperature: number | null, 
/**
 * Full years on the day of the call.
 */
age_years: number, 
/**
 * A doctor's call taken by a post's feldsher (the district has no doctor).
 */
doctor_level: boolean, 
/**
 * The number of the person's previous call when this one repeats it
 * (within [`emhana_domain::home_call::REPEAT_CALL_WITHIN_HOURS`]).
 */
repeat_of: string | null, indications: Array<Indication>, suggested: Responder, reasons: Array<TriageReason>, goes: Responder, acceptance: CallAcceptance, planned_on: string, assigned_staff_id: number | null, assigned_staff: string | null, status: CallStatus, outcome_note: string | null, };

export type Campaign = { year: number, first_day: string, last_day: string, 
/**
 * How many free choices of clinic or doctor a person may make in the year.
 */
free_choice_limit: number, takes_effect: CampaignEffect, };

export type CampaignEffect = "decision_day" | "next_january_first";

export type CardOpening = { at: string, 
/**
 * The member of staff who opened it (`None`: nobody signed in, a system task).
 */
full_name: string | null, role: StaffRole | null, };

export type Channel = "in_person" | "in_writing" | "portal" | "public_service_centre";

export type Citizenship = "citizen" | "kandas" | "foreign_permanent_resident" | "other";

export type ClinicDayLine = { doctor: Doctor, closed: DayClosed | null, first_slot: string | null, last_slot_end: string | null, slots: number, booked: number, arrived: number, no_show: number, 
/**
 * Slots no active booking holds.
 */
free: number, };

export type ClinicKind = "polyclinic" | "gp_practice" | "rural_outpatient_clinic" | "feldsher_post" | "medical_point";

export type ClinicSummary = { bin: string, name_kk: string, name_ru: string, address: string, districts: number, staff: number, 
/**
 * The posts this clinic runs (their calls and plans are read here).
 */
posts: number, };

export type ClinicView = { bin: string, name_kk: string, name_ru: string, kind: ClinicKind, region: string, address: string, phone: string, hours: string, };

export type CommandError = { 
/**
 * One of `ERROR_CODES`.
 */
code: string, message: string, 
/**
 * The error's fields (the expected digit, the path, the field's problems): an object, or null.
 */
details: Record<string, unknown> | null, };

export type Condition = "arterial_hypertension" | "chronic_heart_failure" | "diabetes2";

export type ConsentForm = { 
/**
 * `None`: the question was not answered — the form is incomplete.
 */
given: boolean | null, 
/**
 * `None`: until withdrawn.
 */
valid_until: string | null, third_parties: boolean, cross_border: boolean, publication: boolean, };

export type ConsumerGround = { "kind": "state_paid", category: StatePaidCategory, } | { "kind": "paid", last_paid: Month, holds_through: Month, };

export type CoveredArea = { settlement: string, 
/**
 * None: the whole settlement.
 */
street: string | null, 
/**
 * None: every house of the street.
 */
houses: HouseRange | null, };

export type CurrentAttachment = { clinic_name_kk: string, clinic_name_ru: string, here: boolean, district_number: number | null, started_on: string, };

export type DayClosed = { "reason": "calendar" } | { "reason": "exception", kind: ExceptionKind, } | { "reason": "not_scheduled" };

export type DayCounts = { slots: number, booked: number, arrived: number, no_show: number, 
/**
 * Slots no active booking holds.
 */
free: number, };

export type DayKind = "holiday" | "day_off" | "working_day";

export type DayRow = { starts: string, ends: string, room: string | null, booking: BookingView | null, };

export type Decision = { "outcome": "attach", decided_on: string, effective_on: string, 
/**
 * The attachment this one ends (at this clinic or elsewhere), by its
 * index in the history passed in.
 */
ends: number | null, } | { "outcome": "refuse", decided_on: string, ground: RefusalGround, };

export type DemoSignIn = { password: string, staff: Array<DemoStaff>, };

export type DemoStaff = { iin: string, full_name: string, roles: Array<StaffRole>, };

export type DistrictCount = { district_id: number, number: number, kind: string, attached: number, };

export type DistrictKind = "therapeutic" | "pediatric" | "general_practice";

export type DistrictOption = { id: number, number: number, kind: DistrictKind, doctor: string | null, attached: number, norm: number, };

export type DistrictSource = "chosen" | "household" | "address";

export type DistrictSuggestion = { district_id: number, source: DistrictSource, };

export type DistrictView = { id: number, number: number, kind: DistrictKind, 
/**
 * Its own list norm, when the organization sets one (else the clinic's for its kind).
 */
list_norm: number | null, coverage: Array<CoveredArea>, 
/**
 * Who serves it, by name, doctors first.
 */
staff: Array<string>, };

export type Doctor = { id: number, iin: string, full_name: string, role: string, specialty: string | null, district_number: number | null, };

export type DoctorDay = { doctor: Doctor, date: string, closed: DayClosed | null, sessions: Array<Session>, rows: Array<DayRow>, off_schedule: Array<BookingView>, counts: DayCounts, };

export type DocumentKind = "id_card" | "passport" | "birth_certificate" | "other";

export type DueVisit = { visit: VisitView, person_id: number, person_name: string, address: string | null, };

export type EnrolmentBasis = { document: BasisDocument, dated: string, };

export type ExceptionKind = "leave" | "sick_leave" | "training" | "changed_hours";

export type ExceptionView = { id: number, first_day: string, last_day: string, kind: ExceptionKind, 
/**
 * For [`ExceptionKind::ChangedHours`]: the day's sessions instead.
 */
sessions: Array<Session>, };

export type ExportedBundle = { path: string, ops: number, };

export type Field = "iin" | "surname" | "first_name" | "patronymic" | "birth_date" | "sex" | "citizenship" | "document_kind" | "document_number" | "document_issued_on" | "registered_address" | "temporary_address" | "phone" | "mother_iin" | "workplace" | "relative_iin" | "person" | "district" | "consent" | "new_address";

export type FieldError = { field: Field, problem: FieldProblem, };

export type FieldProblem = { "code": "required" } | { "code": "invalid_iin", reason: IdentifierError, } | { "code": "birth_date_disagrees_with_iin", from_iin: string, } | { "code": "sex_disagrees_with_iin", from_iin: Sex, } | { "code": "not_a_name" } | { "code": "in_future" } | { "code": "before_birth" } | { "code": "child_needs_birth_certificate" } | { "code": "birth_certificate_over16" } | { "code": "unreadable" } | { "code": "invalid_phone" } | { "code": "incomplete_address" } | { "code": "same_person" } | { "code": "already_registered", person_id: number, } | { "code": "not_registered" } | { "code": "not_in_state_database" } | { "code": "mother_not_female" } | { "code": "father_not_male" } | { "code": "already_attached_here", district_number: number | null, } | { "code": "unknown_district" } | { "code": "outside_territory" };

export type FirstSync = { applied: number, 
/**
 * Persons the registry said were left after the last page.
 */
remaining: number | null, done_at: string | null, };

export type HouseParity = "all" | "even" | "odd";

export type HouseRange = { from: number, to: number, parity: HouseParity, };

export type HouseholdMember = { id: number, iin: string, full_name: string, birth_date: string, age: number | null, sex: Sex, };

export type IdentifierError = { "code": "empty", kind: IdentifierKind, } | { "code": "not_a_digit", position: number, found: string, } | { "code": "wrong_length", kind: IdentifierKind, length: number, } | { "code": "wrong_check_digit", expected: number, found: number, } | { "code": "no_check_digit_exists" };

export type IdentifierKind = "iin" | "bin";

export type IdentityDocument = { kind: DocumentKind, number: string, issued_on: string, };

export type IinBirth = { birth_date: string, sex: Sex, };

export type IinReading = { birth: IinBirth | null, problem: IdentifierError | null, };

export type ImportedAnswers = { confirmed: number, rejected: number, changes: number, 
/**
 * The feed's pages were not applied: they start from another cursor than
 * this workstation's (an older answers file, or one already imported).
 */
feed_skipped: boolean, 
/**
 * The registry had more of the feed than one file carries.
 */
feed_incomplete: boolean, };

export type Indication = "raised_blood_pressure" | "infectious_contact" | "rash" | "post_vaccination_deterioration" | "loss_of_consciousness" | "bleeding" | "sudden_sharp_deterioration";

export type KnownOsms = { 
/**
 * When the Fund's data was read: the status is the status on that day.
 */
known_at: string, status: OsmsStatus, 
/**
 * Oldest first.
 */
payments: Array<Payment>, state_paid: Array<StatePaid>, 
/**
 * What regaining coverage would cost if paid today, for a person who is
 * not a consumer; `None` for a consumer.
 */
arrears: Arrears | null, 
/**
 * Why the arrears could not be computed (the year's minimum wage is not set).
 */
arrears_problem: OsmsError | null, 
/**
 * The holder's digital policy and the provider they were attached to when it was read.
 */
policy: PolicyView | null, };

export type Language = "kk" | "ru";

export type LinkProblem = "changed" | "missing" | "unchained";

export type ListLoad = { attached: number, norm: number, };

export type ListNorms = { therapeutic: number, pediatric: number, general_practice: number, };

export type LookupAttached = "here" | "elsewhere" | "nowhere";

export type LookupOutcome = { "outcome": "found", person: Person, died_on: string | null, attached: LookupAttached, } | { "outcome": "not_found" } | { "outcome": "unavailable", reason: LookupUnavailable, };

export type LookupUnavailable = "no_registry" | "offline" | "refused";

export type MatchKind = "iin" | "phone" | "name";

export type Month = { year: number, 
/**
 * 1–12.
 */
month: number, };

export type NewResidence = { address: Address, 
/**
 * A temporary residence (the permanent one stays as registered).
 */
temporary: boolean, };

export type Nurse = { id: number, full_name: string, role: string, district_id: number | null, district_number: number | null, };

export type OrganizationChange = { "what": "staff", member: StaffMember, } | { "what": "district", number: number, kind: DistrictKind, list_norm: number | null, } | { "what": "coverage", district: number, areas: Array<CoveredArea>, };

export type OrganizationProblem = { code: string, reason: string, };

export type OrganizationView = { clinic: ClinicView, 
/**
 * The clinic that runs this one, when this one is a post.
 */
parent: ClinicView | null, districts: Array<DistrictView>, 
/**
 * By surname; also those who no longer work here.
 */
staff: Array<StaffView>, 
/**
 * The posts this clinic runs, with their districts and staff.
 */
posts: Array<PostView>, 
/**
 * The registry's version this PC holds; none when the clinic was loaded
 * here (the demo) and never taken from a registry.
 */
version: number | null, 
/**
 * Changes made here that the registry has not answered yet: they show
 * in the organization once it has applied them and the PC has synced.
 */
pending: Array<PendingChange>, };

export type OsmsError = { "code": "minimum_wage_missing", year: number, };

export type OsmsStatus = { "status": "consumer", ground: ConsumerGround, } | { "status": "not_consumer", 
/**
 * The last month paid for, if any ever was.
 */
last_paid: Month | null, 
/**
 * Unpaid months among the 12 before the day (what arrears would pay for).
 */
unpaid_months: number, };

export type OsmsUnavailable = "no_registry" | "offline" | "not_served_here" | "unknown_person" | "refused";

export type OsmsView = { 
/**
 * The last answer known here; `None`: never asked successfully.
 */
known: KnownOsms | null, 
/**
 * `None`: `known` is the registry's answer of now. Otherwise why it is
 * not, and `known` is the last known one, shown with its date.
 */
unavailable: OsmsUnavailable | null, };

export type OtherClinic = { bin: string, name_kk: string, name_ru: string, };

export type Payment = { paid_on: string, 
/**
 * In tiyn (1/100 tenge): amounts are kept exact.
 */
amount_tiyn: number, kind: PaymentKind, 
/**
 * The month it is for.
 */
period: Month, 
/**
 * The payer's BIN or IIN.
 */
payer: string, 
/**
 * Returned to the payer, with the day: a refunded payment pays nothing.
 */
refund_tiyn?: number | null, refunded_on?: string | null, };

export type PaymentKind = "deduction" | "contribution";

export type PendingChange = { op: string, made_at: string, unit_bin: string, change: OrganizationChange, 
/**
 * Not sent yet (`local`) or sent and not answered (`sent`).
 */
state: string, };

export type Person = { iin: string, surname: string, first_name: string, patronymic: string | null, birth_date: string, sex: Sex, citizenship: Citizenship, address: Address | null, phone: string | null, };

export type PersonCard = { id: number, iin: string, surname: string, first_name: string, patronymic: string | null, full_name: string, birth_date: string, 
/**
 * Full years on the day the card was opened.
 */
age: number | null, sex: Sex, citizenship: Citizenship, address: string | null, phone: string | null, 
/**
 * False when the IIN carries a birth date or sex other than the entered
 * ones (a warning to check the documents; foreigners' IINs may not carry any).
 */
iin_agrees: boolean, household: Array<HouseholdMember>, 
/**
 * The data is as typed here and the state person database has not
 * confirmed it yet (registered where ГБД ФЛ could not be asked).
 */
unconfirmed: boolean, 
/**
 * What the state's data corrected of what was typed, newest first.
 */
corrections: Array<PersonCorrection>, 
/**
 * The document, temporary address, workplace and household links.
 */
details: PersonDetails, 
/**
 * The changes of the person's data made at the windows, newest first.
 */
changes: Array<PersonChangeEntry>, 
/**
 * Who opened the card on this PC, newest first (this opening too), at
 * most [`OPENINGS_SHOWN`]: a person's data is seen by those whose work
 * needs it, and the card says who they were.
 */
opened_by: Array<CardOpening>, };

export type PersonChange = { "field": "address", address: Address, } | { "field": "phone", phone: string | null, } | { "field": "document", document: IdentityDocument, } | { "field": "temporary_address", address: Address | null, } | { "field": "workplace", workplace: string | null, } | { "field": "relative", relation: Relation, iin: string | null, };

export type PersonChangeEntry = { 
/**
 * What changed, as [`PersonChange::key`] names it: `address`, `phone`,
 * `document`, `temporary_address`, `workplace`, `mother`, `father`, `guardian`.
 */
field: string, 
/**
 * The value before and after, as the card writes it (`None`: none).
 */
before: string | null, after: string | null, 
/**
 * Who changed it here; `None`: another PC of the clinic, through the registry.
 */
by: string | null, changed_at: string, };

export type PersonCorrection = { 
/**
 * surname, first_name, patronymic, birth_date, sex, citizenship
 */
field: string, typed: string | null, registry: string | null, corrected_at: string, };

export type PersonDetails = { document: IdentityDocument | null, temporary_address: string | null, 
/**
 * The place of work or study.
 */
workplace: string | null, relatives: Array<RelativeView>, };

export type PersonHit = { id: number, iin: string, full_name: string, birth_date: string, sex: Sex, address: string | null, phone: string | null, matched: MatchKind, };

export type PersonProblem = "name_missing" | "name_unreadable" | "birth_date_disagrees_with_iin" | "sex_disagrees_with_iin" | "born_in_future" | "phone_unreadable" | "address_unreadable" | "detail_unreadable";

export type PersonStanding = { "standing": "attached_here" } | { "standing": "attached_elsewhere", clinic: OtherClinic | null, } | { "standing": "not_attached" } | { "standing": "deceased" };

export type PlanClosed = { on: string, reason: PlanClosure, 
/**
 * How the pregnancy ended, for an antenatal plan closed by its end.
 */
pregnancy_outcome: PregnancyOutcome | null, };

export type PlanClosure = "completed" | "pregnancy_ended" | "died" | "left_clinic";

export type PlanEvent = { "event": "newborn", born: string, discharged: string, risk: boolean, } | { "event": "pregnancy_registered", reported: string, weeks_at_report: number, } | { "event": "observation", condition: Condition, risk: RiskLevel, enrolled: string, 
/**
 * The document it rests on; plans enrolled before it was asked have none.
 */
basis?: EnrolmentBasis | null, };

export type PlanKind = "child_patronage" | "antenatal" | "observation";

export type PlanRequest = { "plan": "newborn", discharged: string, risk: boolean, } | { "plan": "pregnancy", reported: string, weeks_at_report: number, } | { "plan": "observation", condition: Condition, risk: RiskLevel, enrolled: string, 
/**
 * The document the enrolment rests on (seed 000 names three).
 */
basis: EnrolmentBasis, };

export type PlanView = { id: number, kind: PlanKind, event: PlanEvent, visits: Array<VisitView>, 
/**
 * When and why the plan closed; `None` while it is open.
 */
closed: PlanClosed | null, };

export type Policy = { number: string, issuer_name: string, issuer_location: string, issuer_bin: string, 
/**
 * The holder as the policy names them: full name, registered address,
 * IIN, identity document's number.
 */
holder_full_name: string, holder_address: string, holder_iin: string, holder_document: string, issued_on: string, valid_from: string, valid_until: string, 
/**
 * The services of the state's insurance coverage it covers.
 */
services: Array<string>, registrar_name: string, registrar_location: string, status: PolicyStatus, };

export type PolicyProvider = { bin: string, name_kk: string, name_ru: string, };

export type PolicyStatus = "active" | "blocked" | "annulled";

export type PolicyView = { policy: Policy, 
/**
 * `None`: attached nowhere.
 */
provider: PolicyProvider | null, };

export type PostCallView = { id: string, post_bin: string, post_name_kk: string, post_name_ru: string, 
/**
 * "2026/41", in the post's own numbering.
 */
number: string, received_at: string, person_name: string, iin: string, age_years: number, address: string | null, caller: string, caller_phone: string | null, complaint: string, temperature: number | null, suggested: Responder, goes: Responder, doctor_level: boolean, planned_on: string, 
/**
 * Who goes, when this PC knows them (the post's staff or this clinic's).
 */
assigned_staff_id: number | null, assigned_staff: string | null, status: CallStatus, outcome_note: string | null, 
/**
 * Sent to someone else here, and the registry has not answered yet.
 */
waiting: boolean, };

export type PostPlanView = { id: string, post_bin: string, post_name_kk: string, post_name_ru: string, person_name: string, iin: string, kind: PlanKind, condition: Condition | null, opened_at: string, closed_on: string | null, 
/**
 * Visits with an outcome standing, of the visits planned so far.
 */
visits_done: number, visits_planned: number, 
/**
 * The next visit still to make (by its window), when there is one.
 */
next_due_from: string | null, next_due_to: string | null, 
/**
 * The last outcome recorded at the post, and its day.
 */
last_outcome: VisitOutcome | null, last_outcome_on: string | null, };

export type PostView = { clinic: ClinicView, districts: Array<DistrictView>, staff: Array<StaffView>, };

export type PregnancyOutcome = "birth" | "other";

export type Printed = { 
/**
 * Where the file was saved.
 */
path: string, 
/**
 * Whether the system's PDF viewer (with its print dialog) was opened.
 */
opened: boolean, };

export type Progress = { "phase": "downloading", received: number, total: number, } | { "phase": "pushing", sent: number, } | { "phase": "pulling", 
/**
 * Changes applied this round.
 */
applied: number, 
/**
 * Changes the registry says are left, when it said.
 */
remaining: number | null, 
/**
 * Estimated seconds left, from this round's pace.
 */
seconds_left: number | null, };

export type RecentCall = { number: string, received_at: string, status: CallStatus, };

export type RefusalGround = "no_consent" | "person_deceased" | "not_first_attachment" | "outside_campaign" | "free_choice_limit_reached";

export type RegisterFilter = { district_id: number | null, age_group: AgeGroup | null, sex: Sex | null, 
/**
 * Attached on or after this day.
 */
attached_since: string | null, };

export type RegisterPage = { today: string, 
/**
 * Persons matching the filter.
 */
total: number, 
/**
 * Every district's attached count on `today` (unfiltered), for the overview.
 */
districts: Array<DistrictCount>, rows: Array<RegisterRow>, campaign: Campaign, 
/**
 * Attachments to this clinic decided in the campaign window.
 */
inflow: number, 
/**
 * Attachments here that ended because the person attached elsewhere, in the campaign.
 */
outflow: number, };

export type RegisterRow = { person_id: number, iin: string, full_name: string, birth_date: string, sex: string, district_number: number, started_on: string, address: string | null, };

export type RegistrationForm = { iin: string, surname: string, first_name: string, patronymic: string, birth_date: string | null, sex: Sex | null, citizenship: Citizenship | null, document_kind: DocumentKind | null, document_number: string, document_issued_on: string | null, registered_address: Address | null, temporary_address: Address | null, workplace: string, phone: string, 
/**
 * The mother's IIN, when the person is a child registered with her.
 */
mother_iin: string, };

export type RejectGround = { "code": "attachment_refused", refusal: RefusalGround, } | { "code": "already_attached_here", district_number: number | null, } | { "code": "not_attached_here" } | { "code": "slot_taken" } | { "code": "booking_not_found" } | { "code": "call_closed", status: CallStatus, } | { "code": "record_not_found" } | { "code": "post_record_read_only" } | { "code": "booking_changed", status: BookingStatus, } | { "code": "second_booking_that_day" } | { "code": "schedule_changed" } | { "code": "plan_open" } | { "code": "plan_changed" } | { "code": "settings_changed" } | { "code": "visit_outcome_taken", standing: VisitOutcome | null, } | { "code": "number_taken" } | { "code": "unknown_district", district_number: number, } | { "code": "unknown_person" } | { "code": "made_in_future" } | { "code": "organization_refused", problems: Array<OrganizationProblem>, } | { "code": "no_author" } | { "code": "author_not_staff" } | { "code": "author_disabled" } | { "code": "author_not_allowed", action: Action, } | { "code": "malformed", detail: string, } | { "code": "op_id_taken" } | { "code": "person_invalid", problem: PersonProblem, } | { "code": "made_too_long_ago" } | { "code": "residence_outside_coverage" } | { "code": "death_date_invalid" } | { "code": "person_died" } | { "code": "attached_elsewhere" };

export type Relation = "mother" | "father" | "guardian";

export type RelativeView = { relation: Relation, person_id: number, iin: string, full_name: string, };

export type Responder = "nurse" | "district_doctor" | "ambulance";

export type RiskLevel = "low" | "medium" | "high" | "very_high";

export type RoundCall = { id: number, number: string, complaint: string, temperature: number | null, caller_phone: string | null, status: CallStatus, 
/**
 * A doctor's call taken by a post's feldsher.
 */
doctor_level: boolean, };

export type RoundDay = { day: string, stops: Array<RoundStop>, };

export type RoundPace = { starts: string, 
/**
 * The end of the nurse's hours for home visits: the last visit is over by then.
 */
ends: string, visit_minutes: number, 
/**
 * Walking or driving between two addresses.
 */
travel_minutes: number, };

export type RoundReport = { pushed: number, confirmed: number, rejected: number, pulled: number, pages: number, 
/**
 * The registry's reference data differed from what was here.
 */
reference_changed: boolean, 
/**
 * The clinic's organization (districts, coverage, staff) was taken anew.
 */
organization_changed: boolean, 
/**
 * The persons a clinic's snapshot brought, when this round installed one.
 */
snapshot_persons: number | null, 
/**
 * The feed was not read to its end: changes were held back by
 * transactions still running at the registry (see docs/sync.md). The
 * loop comes back in [`HELD_BACK_RETRY`], not after the whole interval.
 */
held_back: boolean, 
/**
 * Whether the registry found this PC's audit log leading through the
 * head it held (`None`: the log had no chained row to report).
 */
audit_matches: boolean | null, };

export type RoundStop = { 
/**
 * The stop's first item (a call before visits): what her saved order keeps.
 */
stop: StopRef, estimated: string, person_id: number, person_name: string, iin: string, birth_date: string, age_years: number, 
/**
 * Full months of age, for children (printed as months under 3).
 */
age_months: number, address: string | null, phone: string | null, 
/**
 * The calls sent to her for this person, the most urgent first.
 */
calls: Array<RoundCall>, 
/**
 * The person's plan visits due or overdue, the earliest due first.
 */
visits: Array<RoundVisit>, };

export type RoundView = { nurse_id: number, nurse: string, district_number: number | null, day: string, 
/**
 * The day that fits her hours (the pace's start to end), calls first.
 */
stops: Array<RoundStop>, 
/**
 * What did not fit, on the next working days (visits only: calls are never put off).
 */
later: Array<RoundDay>, 
/**
 * Stops waiting beyond the days listed in `later`.
 */
beyond: number, };

export type RoundVisit = { id: number, purpose: VisitPurpose, what: string | null, state: VisitState, outcome: VisitOutcome | null, 
/**
 * An outcome was recorded on the round's day and not undone; on today's
 * round she may undo it.
 */
recorded: boolean, 
/**
 * A doctor's visit a post's feldsher makes (her district has no doctor).
 */
doctor_level: boolean, };

export type RulesInForce = { triage_source: string, triage_valid_from: string, plan_source: string, plan_valid_from: string, };

export type ScheduleChange = { displaced: Array<BookingView>, };

export type ScheduleException = { first_day: string, last_day: string, kind: ExceptionKind, 
/**
 * For [`ExceptionKind::ChangedHours`]: the day's sessions instead.
 */
sessions: Array<Session>, };

export type ScheduleView = { doctor: Doctor, templates: Array<WeeklyTemplate>, exceptions: Array<ExceptionView>, };

export type SearchOutcome = { hits: Array<PersonHit>, 
/**
 * Why the typed IIN is not valid; set instead of searching for it.
 */
notice: IdentifierError | null, };

export type Session = { 
/**
 * The weekday it recurs on; ignored in an exception's sessions.
 */
weekday: string, starts: string, ends: string, kind: SessionKind, 
/**
 * The length of one appointment, for reception sessions.
 */
slot_minutes: number, 
/**
 * Where the doctor receives ("214"); `None` when not said.
 */
room: string | null, };

export type SessionKind = "reception" | "home_visits" | "break";

export type SessionState = { session: StaffSession | null, 
/**
 * Signed in, but the window is locked: the password unlocks it.
 */
locked: boolean, lock_after_minutes: number, };

export type Sex = "male" | "female";

export type SlipFormat = "a6" | "receipt80";

export type Slot = { starts: string, ends: string, room: string | null, };

export type StaffMember = { iin: string, surname: string, first_name: string, patronymic: string | null, 
/**
 * The first is the one shown beside the name; the others widen what
 * the person may do (a head who also registers).
 */
roles: Array<StaffRole>, 
/**
 * therapist, pediatrician, general_practitioner, ... for doctors.
 */
specialty: string | null, 
/**
 * The districts (numbers in the clinic) a district doctor, nurse or feldsher serves.
 */
districts: Array<number>, room: string | null, phone: string | null, 
/**
 * The first and the last day of work here, when known.
 */
works_from: string | null, works_to: string | null, };

export type StaffRole = "registrar" | "district_nurse" | "feldsher" | "district_doctor" | "head";

export type StaffSession = { staff_id: number, iin: string, full_name: string, roles: Array<StaffRole>, 
/**
 * The numbers of the districts they serve, main first.
 */
districts: Array<number>, 
/**
 * What their roles allow (the domain's table): the window offers only
 * these; the workstation checks each again when it is asked.
 */
allowed: Array<Action>, signed_in_at: string, };

export type StaffView = { id: number, iin: string, full_name: string, roles: Array<StaffRole>, specialty: string | null, districts: Array<number>, room: string | null, phone: string | null, works_from: string | null, works_to: string | null, };

export type Startup = { status: StoreStatus, language: Language | null, 
/**
 * The date in Kazakhstan by the app's clock (the day views open on it).
 */
today: string, 
/**
 * How to sign in to the demo clinic, on a PC that holds it (one never
 * enrolled with a registry); none for a real clinic.
 */
demo_sign_in: DemoSignIn | null, };

export type StatePaid = { category: StatePaidCategory, from: string, until: string | null, };

export type StatePaidCategory = "child" | "mother_of_many_children" | "pensioner" | "disabled" | "student" | "pregnant" | "child_care" | "unemployed" | "carer";

export type StopRef = { "kind": "visit", "id": number } | { "kind": "call", "id": number };

export type StoreStatus = { path: string, clinic: ClinicSummary | null, persons: number, };

export type SyncEnrolment = { registry_url: string, workstation_id: string, clinic_bin: string, enrolled_at: string, 
/**
 * The series this workstation numbers in (`emhana_domain::numbering`).
 */
series: number, };

export type SyncOverview = { enrolment: SyncEnrolment | null, 
/**
 * Ops by state: made here and not sent, sent without an answer, confirmed, rejected.
 */
local: number, sent: number, confirmed: number, rejected: number, 
/**
 * Rejected ops still waiting for the registrar.
 */
needs_attention: number, last_push_at: string | null, last_pull_at: string | null, first_sync: FirstSync, 
/**
 * When the registry last found that this PC's audit log no longer leads
 * through the head it held (rewritten, cut, or an older copy): the
 * clinic's administrator must look into it.
 */
audit_mismatch_at: string | null, };

export type SyncStatus = { 
/**
 * The last round reached the registry.
 */
online: boolean, 
/**
 * A round is running.
 */
running: boolean, progress: Progress | null, last_success_at: string | null, 
/**
 * What went wrong last, as a catalog code the UI translates
 * (`sync.error.offline`, ...), and the technical detail behind it.
 */
last_error_code: string | null, last_error: string | null, 
/**
 * Failures in a row since the last success.
 */
failures: number, last_round: RoundReport | null, };

export type SyncView = { overview: SyncOverview, status: SyncStatus, };

export type Triage = { goes: Responder, 
/**
 * Every rule that applied, the deciding one first.
 */
reasons: Array<TriageReason>, 
/**
 * Served at home whatever the complaint (a young child, a pregnant woman).
 */
always_at_home: boolean, };

export type TriageReason = "emergency_sign" | "danger_to_others" | "post_vaccination_deterioration" | "high_temperature" | "registrar_judgement" | "non_urgent" | "young_child" | "pregnancy";

export type Unassigned = { 
/**
 * Calls taken for a home visit with nobody to make it (the district has nobody).
 */
calls: Array<CallView>, 
/**
 * Districts with plan visits due or overdue and no nurse or feldsher to
 * make them (nor, for the doctor's, a doctor or feldsher).
 */
districts: Array<UnstaffedDistrict>, };

export type UnstaffedDistrict = { district_id: number, district_number: number, 
/**
 * Due or overdue visits of a nurse, with no nurse or feldsher on the district.
 */
nurse_visits: number, 
/**
 * Due or overdue visits of a doctor, with no doctor or feldsher on the district.
 */
doctor_visits: number, };

export type VisitCategory = "disease" | "injury" | "dynamic_observation" | "medico_social" | "administrative" | "prevention";

export type VisitHistoryEvent = { 
/**
 * Kazakhstan wall-clock time.
 */
at: string, outcome: VisitOutcome, moved_to: string | null, 
/**
 * Who recorded it: the staff member's name, or their IIN when this PC does not know them.
 */
recorded_by: string | null, note: string | null, undone_at: string | null, 
/**
 * Another PC's outcome for the visit reached the registry first: this
 * one, recorded here, changed nothing.
 */
refused: boolean, };

export type VisitOutcome = "done" | "not_at_home" | "refused" | "moved";

export type VisitPurpose = "child_patronage" | "newborn_patronage" | "progressive_patronage" | "antenatal_patronage" | "observation_nurse" | "observation_doctor" | "observation_specialist" | "observation_tests";

export type VisitReason = "acute_or_exacerbation" | "suspected_socially_significant" | "remote_consultation" | "active_visit" | "rehabilitation" | "dental_care" | "acute_injury" | "injury_aftereffects" | "chronic_disease_observation" | "medico_social_support" | "psychological_support" | "disability_assessment_papers" | "prescription" | "preventive_visit" | "immunization" | "screening" | "patronage" | "family_planning" | "antenatal_postnatal" | "school_health" | "healthy_lifestyle" | "paid_checkup" | "dental_services";

export type VisitState = "planned" | "due" | "overdue" | "closed";

export type VisitView = { id: number, plan_id: number, due_from: string, due_to: string, who: VisitWho, purpose: VisitPurpose, what: string | null, state: VisitState, outcome: VisitOutcome | null, };

export type VisitWho = "nurse" | "district_doctor" | "specialist" | "tests";

export type WeeklyTemplate = { valid_from: string, sessions: Array<Session>, };

/** Kazakhstan's one offset from UTC (emhana_domain::time): instants are shown at it. */
export const KAZAKHSTAN_UTC_OFFSET_HOURS = 5;

// The value lists the forms offer, in the core's order.
export const DOCUMENT_KINDS: DocumentKind[] = ['id_card', 'passport', 'birth_certificate', 'other'];
export const RELATIONS: Relation[] = ['mother', 'father', 'guardian'];
export const CITIZENSHIPS: Citizenship[] = ['citizen', 'kandas', 'foreign_permanent_resident', 'other'];
export const CHANNELS: Channel[] = ['in_person', 'in_writing', 'portal', 'public_service_centre'];
export const GROUNDS: AttachmentGround[] = ['first_attachment', 'free_choice', 'change_of_residence', 'change_of_work_or_study', 'clinic_reorganization', 'border_area'];
export const AGE_GROUPS: AgeGroup[] = ['under_1', '1_to_4', '5_to_17', '18_to_64', '65_plus'];
export const BOOKING_CHANNELS: BookingChannel[] = ['in_person', 'phone', 'portal'];
export const BOOKING_STATUSES: BookingStatus[] = ['booked', 'arrived', 'no_show', 'cancelled', 'moved'];
export const SESSION_KINDS: SessionKind[] = ['reception', 'home_visits', 'break'];
export const EXCEPTION_KINDS: ExceptionKind[] = ['leave', 'sick_leave', 'training', 'changed_hours'];
export const INDICATIONS: Indication[] = ['raised_blood_pressure', 'infectious_contact', 'rash', 'post_vaccination_deterioration', 'loss_of_consciousness', 'bleeding', 'sudden_sharp_deterioration'];
export const RESPONDERS: Responder[] = ['nurse', 'district_doctor', 'ambulance'];
export const CONDITIONS: Condition[] = ['arterial_hypertension', 'chronic_heart_failure', 'diabetes2'];
export const RISK_LEVELS: RiskLevel[] = ['low', 'medium', 'high', 'very_high'];
export const BASIS_DOCUMENTS: BasisDocument[] = ['district_doctor_conclusion', 'specialist_conclusion', 'discharge_summary'];
export const STAFF_ROLES: StaffRole[] = ['registrar', 'district_nurse', 'feldsher', 'district_doctor', 'head'];
export const DISTRICT_KINDS: DistrictKind[] = ['therapeutic', 'pediatric', 'general_practice'];
export const HOUSE_PARITIES: HouseParity[] = ['all', 'even', 'odd'];
export type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';
export const WEEKDAYS: Weekday[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** Seed 000's reasons of a visit, grouped by category (the order the form lists them in). */
export const VISIT_REASONS: [VisitCategory, VisitReason[]][] = [
  ['disease', ['acute_or_exacerbation', 'suspected_socially_significant', 'remote_consultation', 'active_visit', 'rehabilitation', 'dental_care']],
  ['injury', ['acute_injury', 'injury_aftereffects']],
  ['dynamic_observation', ['chronic_disease_observation']],
  ['medico_social', ['medico_social_support', 'psychological_support']],
  ['administrative', ['disability_assessment_papers', 'prescription']],
  ['prevention', ['preventive_visit', 'immunization', 'screening', 'patronage', 'family_planning', 'antenatal_postnatal', 'school_health', 'healthy_lifestyle', 'paid_checkup', 'dental_services']],
];
/** Seed 000's names of the reasons, as the slip prints them; the catalogs take theirs from here. */
export const VISIT_REASON_NAMES: Record<VisitReason, { kk: string; ru: string }> = {
  acute_or_exacerbation: { kk: "Жіті жағдай, созылмалы аурудың өршуі", ru: "Острое состояние, обострение хронического заболевания" },
  suspected_socially_significant: { kk: "Әлеуметтік мәні бар ауруға күдік", ru: "Подозрение на социально-значимое заболевание" },
  remote_consultation: { kk: "Қашықтықтан кеңес беру", ru: "Дистанционное консультирование" },
  active_visit: { kk: "Актив", ru: "Актив" },
  rehabilitation: { kk: "Медициналық оңалту (3-кезең)", ru: "Медицинская реабилитация (3 этап)" },
  dental_care: { kk: "Стоматологиялық көмек", ru: "Стоматологическая помощь" },
  acute_injury: { kk: "Жіті жарақат", ru: "Острая травма" },
  injury_aftereffects: { kk: "Жарақаттың салдары", ru: "Последствия травмы" },
  chronic_disease_observation: { kk: "Созылмалы аурулар кезіндегі динамикалық бақылау", ru: "Динамическое наблюдение при хронических заболеваниях" },
  medico_social_support: { kk: "Медициналық-әлеуметтік қолдау", ru: "Медико-социальная поддержка" },
  psychological_support: { kk: "Психологиялық қолдау", ru: "Психологическая поддержка" },
  disability_assessment_papers: { kk: "МӘС-ке құжаттарды ресімдеу", ru: "Оформление документов на МСЭ" },
  prescription: { kk: "Рецепт жазу", ru: "Выписка рецептов" },
  preventive_visit: { kk: "Профилактикалық мақсатпен жүгіну", ru: "Обращение с профилактической целью" },
  immunization: { kk: "Иммунопрофилактика", ru: "Иммунопрофилактика" },
  screening: { kk: "Скрининг (профилактикалық тексеру)", ru: "Скрининг (профосмотр)" },
  patronage: { kk: "Патронаж", ru: "Патронаж" },
  family_planning: { kk: "Отбасын жоспарлау, репродуктивті денсаулық", ru: "Планирование семьи, репродуктивное здоровье" },
  antenatal_postnatal: { kk: "Антенатальды және постнатальды бақылау", ru: "Антенатальное и постнатальное наблюдение" },
  school_health: { kk: "Мектеп медицинасы", ru: "Школьная медицина" },
  healthy_lifestyle: { kk: "Салауатты өмір салты", ru: "Здоровый образ жизни" },
  paid_checkup: { kk: "Ақылы медициналық тексеру", ru: "Платный медосмотр" },
  dental_services: { kk: "Стоматологиялық қызметтер", ru: "Стоматологические услуги" },
};

// Every command the shell answers (src-tauri/src/main.rs).
export const COMMANDS = [
  'startup',
  'session_state',
  'sign_in',
  'unlock',
  'lock',
  'sign_out',
  'still_here',
  'set_lock_after',
  'verify_audit',
  'documents_kept_hours',
  'set_documents_kept_hours',
  'load_demo_clinic',
  'organization',
  'change_organization',
  'set_language',
  'attachment_reference',
  'set_campaign',
  'set_list_norms',
  'rules_in_force',
  'round_pace',
  'set_round_pace',
  'slip_format',
  'set_slip_format',
  'search_persons',
  'read_iin',
  'person_card',
  'person_osms',
  'print_osms_statement',
  'look_up_person',
  'change_person',
  'record_death',
  'register_person',
  'attachment_options',
  'apply_for_attachment',
  'attachment_history',
  'print_application',
  'doctors',
  'booking_options',
  'person_bookings',
  'free_slots',
  'book',
  'move_booking',
  'set_booking_status',
  'booking',
  'booking_journal',
  'doctor_day',
  'clinic_day',
  'displaced_bookings',
  'print_slip',
  'print_day_list',
  'schedule',
  'set_schedule_template',
  'add_schedule_exception',
  'remove_schedule_exception',
  'calendar_year',
  'set_calendar_year',
  'preview_call',
  'register_call',
  'calls_on',
  'set_call_status',
  'reassign_call',
  'post_calls',
  'post_plans',
  'post_call_staff',
  'reassign_post_call',
  'open_plan',
  'change_plan_risk',
  'end_pregnancy',
  'unassigned',
  'person_plans',
  'nurses',
  'round',
  'reorder_round',
  'record_visit_outcome',
  'undo_visit_outcome',
  'visit_history',
  'print_round',
  'due_visits',
  'attached_register',
  'export_register_csv',
  'sync_view',
  'enrol',
  'sync_now',
  'needs_attention',
  'resolve_attention',
  'export_bundle',
  'import_answers',
] as const;
export type CommandName = (typeof COMMANDS)[number];

// Every code a command error can carry (src-tauri/src/error.rs).
export const ERROR_CODES = [
  'booking.already_booked_that_day',
  'booking.attached_elsewhere',
  'booking.booking_not_found',
  'booking.not_attached',
  'booking.outside_schedule',
  'booking.person_deceased',
  'booking.slot_in_past',
  'booking.slot_taken',
  'booking.staff_not_found',
  'booking_status.not_from',
  'booking_status.not_yet_the_day',
  'bundle.bad_seal',
  'bundle.cannot_save',
  'bundle.failed',
  'bundle.no_key',
  'bundle.not_a_bundle',
  'bundle.other_workstation',
  'bundle.too_large',
  'bundle.unknown_format',
  'bundle.wrong_kind',
  'calendar.duplicate',
  'calendar.not_in_year',
  'calendar.works_as_only_for_working_day',
  'call_refused.attached_elsewhere',
  'call_refused.not_attached',
  'demo.failed',
  'form.fields',
  'home_visit.before_birth',
  'home_visit.call_closed',
  'home_visit.call_not_found',
  'home_visit.move_date',
  'home_visit.not_a_pregnancy',
  'home_visit.not_a_woman',
  'home_visit.not_a_young_child',
  'home_visit.not_attached',
  'home_visit.not_working_that_day',
  'home_visit.not_your_call',
  'home_visit.not_your_visit',
  'home_visit.nothing_to_undo',
  'home_visit.nurse_not_found',
  'home_visit.plan_not_found',
  'home_visit.plan_open',
  'home_visit.post_call_not_found',
  'home_visit.required',
  'home_visit.visit_not_found',
  'open.backup',
  'open.cannot_create_folder',
  'open.encryption',
  'open.key_missing',
  'open.keyring',
  'open.migration',
  'open.newer_schema',
  'open.unreadable',
  'open.wrong_key',
  'plan.basis_after_enrolment',
  'plan.discharge_before_birth',
  'plan.end_before_report',
  'plan.in_future',
  'plan.pregnancy_weeks',
  'print.cannot_save',
  'print.failed',
  'print.fonts',
  'print.no_folder',
  'schedule.ends_before_start',
  'schedule.exception_backwards',
  'schedule.overlap',
  'schedule.slot_length',
  'session.locked',
  'session.not_signed_in',
  'sign_in.disabled',
  'sign_in.no_accounts',
  'sign_in.not_working_here',
  'sign_in.try_later',
  'sign_in.wrong_password',
  'store.application_not_found',
  'store.corrupt',
  'store.database',
  'store.date_in_future',
  'store.enrolled_elsewhere',
  'store.invalid_iin',
  'store.invalid_reference_data',
  'store.no_app_data_folder',
  'store.no_home_clinic',
  'store.not_allowed',
  'store.not_decided',
  'store.not_empty',
  'store.not_enrolled',
  'store.not_signed_in',
  'store.not_your_district',
  'store.organization_refused',
  'store.osms_not_known',
  'store.person_not_found',
  'sync.bad_enrolment_code',
  'sync.bad_url',
  'sync.keyring',
  'sync.offline',
  'sync.refused',
  'sync.server',
  'sync.transport',
  'sync.unreachable',
  'triage.below_rule',
  'triage.implausible_temperature',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

// Every other code the core sends to be translated, under its catalog prefix.
export const MESSAGE_CODES = [
  'action.attach',
  'action.book',
  'action.detach',
  'action.dispatch_call',
  'action.edit_calendar',
  'action.edit_organization',
  'action.edit_schedule',
  'action.edit_settings',
  'action.export_bundle',
  'action.export_register',
  'action.manage_accounts',
  'action.order_round',
  'action.plan_care',
  'action.read_audit',
  'action.read_insurance',
  'action.record_call_status',
  'action.record_death',
  'action.record_visit',
  'action.register_person',
  'action.see_any_district',
  'action.take_call',
  'age_group.18_to_64',
  'age_group.1_to_4',
  'age_group.5_to_17',
  'age_group.65_plus',
  'age_group.under_1',
  'attach.source.address',
  'attach.source.chosen',
  'attach.source.household',
  'attention.action.call_administrator',
  'attention.action.check_booking',
  'attention.action.check_call',
  'attention.action.check_organization',
  'attention.action.check_person_card',
  'attention.action.check_plan',
  'attention.action.check_schedule',
  'attention.action.check_settings',
  'attention.action.pick_another_slot',
  'attention.action.print_refusal',
  'attention.kind.attach',
  'attention.kind.book',
  'attention.kind.cancel_booking',
  'attention.kind.change_booking',
  'attention.kind.change_call',
  'attention.kind.change_organization',
  'attention.kind.change_person',
  'attention.kind.change_plan',
  'attention.kind.detach',
  'attention.kind.open_plan',
  'attention.kind.register_call',
  'attention.kind.set_round',
  'attention.kind.set_schedule',
  'attention.kind.set_settings',
  'basis.discharge_summary',
  'basis.district_doctor_conclusion',
  'basis.specialist_conclusion',
  'booking_channel.in_person',
  'booking_channel.phone',
  'booking_channel.portal',
  'calendar.kind.day_off',
  'calendar.kind.holiday',
  'calendar.kind.working_day',
  'call_status.cancelled',
  'call_status.hospitalized',
  'call_status.not_at_home',
  'call_status.passed_to_ambulance',
  'call_status.passed_to_doctor',
  'call_status.registered',
  'call_status.served',
  'category.administrative',
  'category.disease',
  'category.dynamic_observation',
  'category.injury',
  'category.medico_social',
  'category.prevention',
  'channel.in_person',
  'channel.in_writing',
  'channel.portal',
  'channel.public_service_centre',
  'citizenship.citizen',
  'citizenship.foreign_permanent_resident',
  'citizenship.kandas',
  'citizenship.other',
  'clinic_kind.feldsher_post',
  'clinic_kind.gp_practice',
  'clinic_kind.medical_point',
  'clinic_kind.polyclinic',
  'clinic_kind.rural_outpatient_clinic',
  'condition.arterial_hypertension',
  'condition.chronic_heart_failure',
  'condition.diabetes2',
  'day.closed.calendar',
  'day.closed.exception',
  'day.closed.not_scheduled',
  'district_kind.general_practice',
  'district_kind.pediatric',
  'district_kind.therapeutic',
  'document.birth_certificate',
  'document.id_card',
  'document.other',
  'document.passport',
  'exception_kind.changed_hours',
  'exception_kind.leave',
  'exception_kind.sick_leave',
  'exception_kind.training',
  'field.already_attached_here',
  'field.already_registered',
  'field.before_birth',
  'field.birth_certificate_over16',
  'field.birth_date_disagrees_with_iin',
  'field.child_needs_birth_certificate',
  'field.father_not_male',
  'field.in_future',
  'field.incomplete_address',
  'field.invalid_iin',
  'field.invalid_phone',
  'field.mother_not_female',
  'field.not_a_name',
  'field.not_in_state_database',
  'field.not_registered',
  'field.outside_territory',
  'field.required',
  'field.same_person',
  'field.sex_disagrees_with_iin',
  'field.unknown_district',
  'field.unreadable',
  'ground.border_area',
  'ground.change_of_residence',
  'ground.change_of_work_or_study',
  'ground.clinic_reorganization',
  'ground.first_attachment',
  'ground.free_choice',
  'identifier.empty',
  'identifier.no_check_digit_exists',
  'identifier.not_a_digit',
  'identifier.wrong_check_digit',
  'identifier.wrong_length',
  'indication.bleeding',
  'indication.infectious_contact',
  'indication.loss_of_consciousness',
  'indication.post_vaccination_deterioration',
  'indication.raised_blood_pressure',
  'indication.rash',
  'indication.sudden_sharp_deterioration',
  'lookup.unavailable.no_registry',
  'lookup.unavailable.offline',
  'lookup.unavailable.refused',
  'organization.problem.bad_district_number',
  'organization.problem.bad_house_range',
  'organization.problem.coverage_overlap',
  'organization.problem.houses_without_street',
  'organization.problem.no_name',
  'organization.problem.no_region',
  'organization.problem.no_role',
  'organization.problem.no_settlement',
  'organization.problem.no_street',
  'organization.problem.not_our_clinic',
  'organization.problem.not_our_district',
  'organization.problem.own_parent',
  'organization.problem.parent_in_another_region',
  'organization.problem.parent_is_a_post',
  'organization.problem.works_to_before_from',
  'osms.category.carer',
  'osms.category.child',
  'osms.category.child_care',
  'osms.category.disabled',
  'osms.category.mother_of_many_children',
  'osms.category.pensioner',
  'osms.category.pregnant',
  'osms.category.student',
  'osms.category.unemployed',
  'osms.kind.contribution',
  'osms.kind.deduction',
  'osms.policy_status.active',
  'osms.policy_status.annulled',
  'osms.policy_status.blocked',
  'osms.unavailable.no_registry',
  'osms.unavailable.not_served_here',
  'osms.unavailable.offline',
  'osms.unavailable.refused',
  'osms.unavailable.unknown_person',
  'parity.all',
  'parity.even',
  'parity.odd',
  'person_problem.address_unreadable',
  'person_problem.birth_date_disagrees_with_iin',
  'person_problem.born_in_future',
  'person_problem.detail_unreadable',
  'person_problem.name_missing',
  'person_problem.name_unreadable',
  'person_problem.phone_unreadable',
  'person_problem.sex_disagrees_with_iin',
  'plan.kind.antenatal',
  'plan.kind.child_patronage',
  'plan.kind.observation',
  'plan_closure.completed',
  'plan_closure.died',
  'plan_closure.left_clinic',
  'plan_closure.pregnancy_ended',
  'pregnancy_outcome.birth',
  'pregnancy_outcome.other',
  'purpose.antenatal_patronage',
  'purpose.child_patronage',
  'purpose.newborn_patronage',
  'purpose.observation_doctor',
  'purpose.observation_nurse',
  'purpose.observation_specialist',
  'purpose.observation_tests',
  'purpose.progressive_patronage',
  'reason.active_visit',
  'reason.acute_injury',
  'reason.acute_or_exacerbation',
  'reason.antenatal_postnatal',
  'reason.chronic_disease_observation',
  'reason.dental_care',
  'reason.dental_services',
  'reason.disability_assessment_papers',
  'reason.family_planning',
  'reason.healthy_lifestyle',
  'reason.immunization',
  'reason.injury_aftereffects',
  'reason.medico_social_support',
  'reason.paid_checkup',
  'reason.patronage',
  'reason.prescription',
  'reason.preventive_visit',
  'reason.psychological_support',
  'reason.rehabilitation',
  'reason.remote_consultation',
  'reason.school_health',
  'reason.screening',
  'reason.suspected_socially_significant',
  'refusal.free_choice_limit_reached',
  'refusal.no_consent',
  'refusal.not_first_attachment',
  'refusal.outside_campaign',
  'refusal.person_deceased',
  'reject.already_attached_here',
  'reject.attached_elsewhere',
  'reject.attachment_refused',
  'reject.author_disabled',
  'reject.author_not_allowed',
  'reject.author_not_staff',
  'reject.booking_changed',
  'reject.booking_not_found',
  'reject.call_closed',
  'reject.death_date_invalid',
  'reject.made_in_future',
  'reject.made_too_long_ago',
  'reject.malformed',
  'reject.no_author',
  'reject.not_attached_here',
  'reject.number_taken',
  'reject.op_id_taken',
  'reject.organization_refused',
  'reject.person_died',
  'reject.person_invalid',
  'reject.plan_changed',
  'reject.plan_open',
  'reject.post_record_read_only',
  'reject.record_not_found',
  'reject.residence_outside_coverage',
  'reject.schedule_changed',
  'reject.second_booking_that_day',
  'reject.settings_changed',
  'reject.slot_taken',
  'reject.unknown_district',
  'reject.unknown_person',
  'reject.visit_outcome_taken',
  'relation.father',
  'relation.guardian',
  'relation.mother',
  'responder.ambulance',
  'responder.district_doctor',
  'responder.nurse',
  'risk.high',
  'risk.low',
  'risk.medium',
  'risk.very_high',
  'role.district_doctor',
  'role.district_nurse',
  'role.feldsher',
  'role.head',
  'role.registrar',
  'session_kind.break',
  'session_kind.home_visits',
  'session_kind.reception',
  'sex.female',
  'sex.male',
  'status.arrived',
  'status.booked',
  'status.cancelled',
  'status.moved',
  'status.no_show',
  'sync.error.answer_mismatch',
  'sync.error.bundle',
  'sync.error.credential_refused',
  'sync.error.insecure_address',
  'sync.error.offline',
  'sync.error.refused',
  'sync.error.server',
  'sync.error.store',
  'triage_reason.danger_to_others',
  'triage_reason.emergency_sign',
  'triage_reason.high_temperature',
  'triage_reason.non_urgent',
  'triage_reason.post_vaccination_deterioration',
  'triage_reason.pregnancy',
  'triage_reason.registrar_judgement',
  'triage_reason.young_child',
  'visit_outcome.done',
  'visit_outcome.moved',
  'visit_outcome.not_at_home',
  'visit_outcome.refused',
  'visit_state.closed',
  'visit_state.due',
  'visit_state.overdue',
  'visit_state.planned',
  'visit_who.district_doctor',
  'visit_who.nurse',
  'visit_who.specialist',
  'visit_who.tests',
] as const;
export type MessageCode = (typeof MESSAGE_CODES)[number];
