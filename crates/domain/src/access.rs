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

use chrono::{DateTime, Duration, Utc};

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
            RegisterPerson | Attach | Book | TakeCall | DispatchCall | RecordCallStatus | SeeAnyDistrict
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
        ),
        DistrictDoctor => matches!(
            action,
            RecordDeath | Book | RecordCallStatus | PlanCare | RecordVisit
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
}
