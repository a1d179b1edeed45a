//! Who may do what at the workstation: the roles' rights, which persons a
//! member of staff may open, the password rule and how sign-in failures are
//! slowed down.
//!
//! Seed 002 starts every service with "the provider signs in to the
//! workstation by IIN and password", and the personal-data law it cites
//! (p.18) asks that a person's data be seen only by those whose work needs
//! it. The seeds name the roles (DOMAIN.md §1) but not their rights; the
//! table below is the one a PHC clinic runs by: the registry desk registers,
//! attaches and books; the district's nurse, doctor and feldsher look after
//! their own districts' people; the head sets the clinic up and answers for
//! its register.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::StaffRole;

text_enum!(
    /// Something a member of staff does that not every role may do.
    Action {
        /// A new person entered in the register.
        RegisterPerson => "register_person",
        /// An application for attachment decided (ticket or refusal).
        Attach => "attach",
        /// An attachment ended for another reason than a death (the clinic liquidated).
        Detach => "detach",
        /// A death recorded: the attachment ends that day.
        RecordDeath => "record_death",
        /// An appointment booked, moved, cancelled or marked.
        Book => "book",
        /// A home call taken.
        TakeCall => "take_call",
        /// Someone else sent to a call (the clinic's own, or a post's).
        DispatchCall => "dispatch_call",
        /// A call's status recorded by whoever went or heard of it.
        RecordCallStatus => "record_call_status",
        /// A care plan opened, its risk changed, a pregnancy's end recorded.
        PlanCare => "plan_care",
        /// A visit's outcome recorded or undone.
        RecordVisit => "record_visit",
        /// A nurse's day put in her own order.
        OrderRound => "order_round",
        /// A doctor's weekly template or an exception changed.
        EditSchedule => "edit_schedule",
        /// The production calendar of a year changed.
        EditCalendar => "edit_calendar",
        /// The campaign, list norms, round pace, slip paper, lock time.
        EditSettings => "edit_settings",
        /// Staff, districts, coverage.
        EditOrganization => "edit_organization",
        /// A password set or an account disabled for someone else.
        ManageAccounts => "manage_accounts",
        /// The attached register written to a file.
        ExportRegister => "export_register",
        /// The outbox written to a file for a carried sync.
        ExportBundle => "export_bundle",
        /// A person of any district (or none) opened, not only one's own.
        SeeAnyDistrict => "see_any_district",
        /// The audit log checked (who did what on this PC).
        ReadAudit => "read_audit",
        /// Read a person's OSMS status and payments, and print the statement.
        ReadInsurance => "read_insurance",
    }
);

/// Whether any of `roles` may do `action`.
pub fn may(roles: &[StaffRole], action: Action) -> bool {
    roles.iter().any(|role| role_may(*role, action))
}

/// The table of rights, one role at a time.
fn role_may(role: StaffRole, action: Action) -> bool {
    use Action::*;
    use StaffRole::*;
    match role {
        // the head answers for everything the clinic does
        Head => true,
        Registrar => matches!(
            action,
            RegisterPerson
                | Attach
                | Book
                | TakeCall
                | DispatchCall
                | RecordCallStatus
                | SeeAnyDistrict
                | ReadInsurance
        ),
        // a post's feldsher is its registry desk, its nurse and its doctor
        Feldsher => matches!(
            action,
            RegisterPerson
                | Attach
                | RecordDeath
                | Book
                | TakeCall
                | DispatchCall
                | RecordCallStatus
                | PlanCare
                | RecordVisit
                | OrderRound
                | ExportBundle
                | ReadInsurance
        ),
        // the doctor's referrals beyond PHC depend on the status
        DistrictDoctor => matches!(
            action,
            RecordDeath | Book | RecordCallStatus | PlanCare | RecordVisit | ReadInsurance
        ),
        DistrictNurse => matches!(
            action,
            Book | RecordCallStatus | PlanCare | RecordVisit | OrderRound
        ),
    }
}

/// Whether a member of staff with `roles`, serving `own_districts`, may open
/// a person attached here to `person_district` (`None`: not attached here —
/// a visitor, an emergency, someone applying —, whom anyone serving may see).
pub fn may_see(roles: &[StaffRole], own_districts: &[u32], person_district: Option<u32>) -> bool {
    match person_district {
        _ if may(roles, Action::SeeAnyDistrict) => true,
        None => true,
        Some(district) => own_districts.contains(&district),
    }
}

/// The fewest characters a password has.
pub const PASSWORD_MIN_CHARS: usize = 10;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("a password has at least {min} characters")]
    TooShort { min: usize },
    #[error("a password is not the IIN")]
    ContainsIin,
    #[error("a password is not one character repeated")]
    OneCharacter,
}

/// Whether `password` may be set for the member of staff with `iin`.
pub fn check_password(password: &str, iin: &str) -> Result<(), PasswordProblem> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < PASSWORD_MIN_CHARS {
        return Err(PasswordProblem::TooShort {
            min: PASSWORD_MIN_CHARS,
        });
    }
    if !iin.is_empty() && password.contains(iin) {
        return Err(PasswordProblem::ContainsIin);
    }
    if chars.iter().all(|c| *c == chars[0]) {
        return Err(PasswordProblem::OneCharacter);
    }
    Ok(())
}

/// Failed sign-ins allowed before each further try has to wait.
pub const FREE_FAILURES: u32 = 3;
/// The longest wait between tries.
pub const LONGEST_WAIT_SECONDS: i64 = 15 * 60;

/// How long after the last of `failures` failed sign-ins the next try is
/// heard: at once for the first few (a mistyped password), then doubling
/// from 5 seconds up to 15 minutes, so a guesser gets a few hundred tries a
/// day while a registrar who forgot her caps lock waits seconds.
pub fn sign_in_wait(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::zero();
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    Duration::seconds((5_i64 << doublings).min(LONGEST_WAIT_SECONDS))
}

/// When the next sign-in try is heard, after `failures` failures, the last
/// at `last_failure`; `None`: now.
pub fn next_try_at(
    failures: u32,
    last_failure: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let at = last_failure? + sign_in_wait(failures);
    (at > now).then_some(at)
}

/// An op's author as the registry knows them: their entry on the clinic's
/// staff list and their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorStanding {
    pub roles: Vec<StaffRole>,
    pub works_from: Option<NaiveDate>,
    pub works_to: Option<NaiveDate>,
    /// When the account was disabled, if it is.
    pub disabled_since: Option<DateTime<Utc>>,
}

/// Why the registry does not take an op from its author.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorRefusal {
    /// Not on the clinic's staff list on the day the op was made.
    NotStaff,
    /// The account was disabled before the op was made.
    Disabled,
    /// Their roles do not allow it.
    NotAllowed(Action),
}

/// Whether the member of staff `standing` (`None`: not on the clinic's
/// list) could make an op doing `action` at `made_at`. An op made offline
/// before an account was disabled stands: it was made while it was good.
pub fn check_author(
    standing: Option<&AuthorStanding>,
    action: Action,
    made_at: DateTime<Utc>,
) -> Result<(), AuthorRefusal> {
    let standing = standing.ok_or(AuthorRefusal::NotStaff)?;
    let day = crate::time::kazakhstan_date(made_at);
    if !crate::organization::works_between(standing.works_from, standing.works_to, day) {
        return Err(AuthorRefusal::NotStaff);
    }
    if standing.disabled_since.is_some_and(|since| since <= made_at) {
        return Err(AuthorRefusal::Disabled);
    }
    if !may(&standing.roles, action) {
        return Err(AuthorRefusal::NotAllowed(action));
    }
    Ok(())
}

/// The minutes of no use after which a signed-in window locks, by default.
pub const DEFAULT_LOCK_AFTER_MINUTES: u32 = 10;
/// The range a clinic may set it in.
pub const LOCK_AFTER_MINUTES: std::ops::RangeInclusive<u32> = 1..=120;

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use StaffRole::*;

    /// The rights of issue 19, one line per role and action: "who may attach,
    /// record a death, edit schedules, calendars and campaigns, export the
    /// register, see another district's person".
    #[test]
    fn each_role_may_do_what_its_work_needs_and_no_more() {
        let table: &[(StaffRole, Action, bool)] = &[
            (Registrar, RegisterPerson, true),
            (Registrar, Attach, true),
            (Registrar, RecordDeath, false),
            (Registrar, EditSchedule, false),
            (Registrar, EditCalendar, false),
            (Registrar, EditSettings, false),
            (Registrar, ExportRegister, false),
            (Registrar, SeeAnyDistrict, true),
            (Registrar, PlanCare, false),
            (Registrar, ReadInsurance, true),
            (DistrictNurse, ReadInsurance, false),
            (DistrictDoctor, ReadInsurance, true),
            (Feldsher, ReadInsurance, true),
            (DistrictNurse, Attach, false),
            (DistrictNurse, RecordDeath, false),
            (DistrictNurse, RecordVisit, true),
            (DistrictNurse, OrderRound, true),
            (DistrictNurse, SeeAnyDistrict, false),
            (DistrictNurse, ExportRegister, false),
            (DistrictDoctor, RecordDeath, true),
            (DistrictDoctor, Attach, false),
            (DistrictDoctor, EditSchedule, false),
            (DistrictDoctor, SeeAnyDistrict, false),
            (Feldsher, Attach, true),
            (Feldsher, RecordDeath, true),
            (Feldsher, ExportBundle, true),
            (Feldsher, EditOrganization, false),
            (Feldsher, ManageAccounts, false),
            (Head, EditSchedule, true),
            (Head, EditCalendar, true),
            (Head, EditSettings, true),
            (Head, ExportRegister, true),
            (Head, ManageAccounts, true),
            (Head, RecordDeath, true),
        ];
        for (role, action, expected) in table {
            assert_eq!(may(&[*role], *action), *expected, "{role:?} {action:?}");
        }
    }

    #[test]
    fn a_second_role_widens_what_one_may_do() {
        assert!(!may(&[DistrictNurse], Attach));
        assert!(may(&[DistrictNurse, Registrar], Attach));
        assert!(!may(&[], Book));
    }

    #[test]
    fn a_nurse_opens_her_districts_people_and_those_attached_nowhere_here() {
        let nurse = [DistrictNurse];
        assert!(may_see(&nurse, &[3, 4], Some(3)));
        assert!(!may_see(&nurse, &[3, 4], Some(5)));
        assert!(may_see(&nurse, &[3, 4], None));
        assert!(!may_see(&nurse, &[], Some(1)));
        assert!(may_see(&[Registrar], &[], Some(5)));
        assert!(may_see(&[DistrictDoctor, Head], &[1], Some(5)));
    }

    #[test]
    fn a_password_is_long_enough_and_not_the_iin() {
        let iin = "850101300123";
        assert_eq!(
            check_password("short", iin),
            Err(PasswordProblem::TooShort { min: 10 })
        );
        // counted in characters, not bytes: ten Cyrillic letters are enough
        assert_eq!(check_password("қасқырлар!", iin), Ok(()));
        assert_eq!(
            check_password("x850101300123", iin),
            Err(PasswordProblem::ContainsIin)
        );
        assert_eq!(
            check_password("aaaaaaaaaaaa", iin),
            Err(PasswordProblem::OneCharacter)
        );
        assert_eq!(check_password("correct horse", iin), Ok(()));
    }

    #[test]
    fn failed_sign_ins_wait_longer_and_longer_up_to_a_cap() {
        let table = [
            (0, 0),
            (2, 0),
            (3, 5),
            (4, 10),
            (5, 20),
            (10, 640),
            (11, 900),
            (40, 900),
        ];
        for (failures, seconds) in table {
            assert_eq!(sign_in_wait(failures), Duration::seconds(seconds), "{failures}");
        }
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        assert_eq!(next_try_at(2, Some(now), now), None);
        assert_eq!(next_try_at(4, Some(now), now), Some(now + Duration::seconds(10)));
        assert_eq!(next_try_at(4, Some(now - Duration::seconds(11)), now), None);
        assert_eq!(next_try_at(9, None, now), None);
    }

    /// Issue 19: "the registry checks that the author is staff of that
    /// clinic with a role that may do it".
    #[test]
    fn an_author_is_on_the_staff_that_day_with_a_good_account_and_a_role_that_allows_it() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().ok();
        let day = |text: &str| text.parse::<NaiveDate>().ok();
        let nurse = AuthorStanding {
            roles: vec![DistrictNurse],
            works_from: day("2024-03-01"),
            works_to: day("2026-11-30"),
            disabled_since: None,
        };
        let disabled = AuthorStanding {
            disabled_since: at("2026-06-01T09:00:00Z"),
            ..nurse.clone()
        };
        type Case<'a> = (
            Option<&'a AuthorStanding>,
            Action,
            &'a str,
            Result<(), AuthorRefusal>,
        );
        let cases: &[Case] = &[
            (Some(&nurse), RecordVisit, "2026-05-04T05:00:00Z", Ok(())),
            (
                None,
                RecordVisit,
                "2026-05-04T05:00:00Z",
                Err(AuthorRefusal::NotStaff),
            ),
            // the first and the last day of work count, in Kazakhstan's date (UTC+5)
            (Some(&nurse), RecordVisit, "2024-02-29T19:00:00Z", Ok(())),
            (
                Some(&nurse),
                RecordVisit,
                "2024-02-29T18:00:00Z",
                Err(AuthorRefusal::NotStaff),
            ),
            (Some(&nurse), RecordVisit, "2026-11-30T18:00:00Z", Ok(())),
            (
                Some(&nurse),
                RecordVisit,
                "2026-11-30T19:00:00Z",
                Err(AuthorRefusal::NotStaff),
            ),
            (
                Some(&nurse),
                RecordDeath,
                "2026-05-04T05:00:00Z",
                Err(AuthorRefusal::NotAllowed(RecordDeath)),
            ),
            // made offline before the account was disabled: it stands
            (Some(&disabled), RecordVisit, "2026-06-01T08:59:59Z", Ok(())),
            (
                Some(&disabled),
                RecordVisit,
                "2026-06-01T09:00:00Z",
                Err(AuthorRefusal::Disabled),
            ),
        ];
        for (standing, action, made_at, expected) in cases {
            let made_at = at(made_at).unwrap_or_default();
            assert_eq!(
                check_author(*standing, *action, made_at),
                *expected,
                "{action:?} at {made_at}"
            );
        }
    }
}
