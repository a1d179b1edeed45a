//! The attachment decision, case by case from seed 000 and DOMAIN.md §2/§10.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use emhana_domain::DistrictKind;
use emhana_domain::attachment::{
    AttachmentCase, AttachmentCaseError, AttachmentGround as G, AttachmentRules, Campaign, CampaignEffect,
    Coverage, Decision, DistrictAges, DistrictSource, EndReason, ListNorms, PastAttachment,
    RefusalGround as R, SuggestionFacts, decide, ended_by_new_attachment, exceeds_list_norm,
    suggest_district,
};
use emhana_domain::organization::{CoveredArea, HouseParity, HouseRange};

mod districts;
mod endings;

const HERE: &str = "990240000013";
const ELSEWHERE: &str = "000140000014";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An instant given in Kazakhstan time (UTC+5).
fn kz(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - chrono::TimeDelta::hours(5)
}

fn past(clinic: &str, ground: G, decided: NaiveDate, ended: Option<NaiveDate>) -> PastAttachment {
    PastAttachment {
        clinic_bin: clinic.to_string(),
        district_id: Some(if clinic == HERE { 1 } else { 90 }),
        ground,
        decided_on: decided,
        started_on: decided,
        ended_on: ended,
    }
}

/// Attached elsewhere since 2020 by first attachment — the usual applicant.
fn attached_elsewhere() -> Vec<PastAttachment> {
    vec![past(ELSEWHERE, G::FirstAttachment, date(2020, 5, 4), None)]
}

enum Expect {
    Attach { effective_on: NaiveDate },
    Refuse(R),
}

struct Case {
    name: &'static str,
    ground: G,
    consent: bool,
    at: DateTime<Utc>,
    history: Vec<PastAttachment>,
    rules: AttachmentRules,
    expect: Expect,
}

fn case(
    name: &'static str,
    ground: G,
    at: DateTime<Utc>,
    history: Vec<PastAttachment>,
    expect: Expect,
) -> Case {
    Case {
        name,
        ground,
        consent: true,
        at,
        history,
        rules: AttachmentRules::default(),
        expect,
    }
}

fn rules_with(campaign: Campaign) -> AttachmentRules {
    AttachmentRules {
        campaigns: vec![campaign],
        ..AttachmentRules::default()
    }
}

#[test]
fn decisions_follow_the_rules_of_attachment() {
    use Expect::*;
    let campaign_2025 = Campaign {
        year: 2025,
        first_day: date(2025, 9, 1),
        last_day: date(2025, 11, 1),
        free_choice_limit: 1,
        takes_effect: CampaignEffect::NextJanuaryFirst,
    };
    let twice_a_year = Campaign {
        free_choice_limit: 2,
        ..Campaign::seed_default(2026)
    };
    let leap_campaign = Campaign {
        year: 2028,
        first_day: date(2028, 2, 1),
        last_day: date(2028, 2, 29),
        free_choice_limit: 1,
        takes_effect: CampaignEffect::DecisionDay,
    };
    let cases = vec![
        // first attachment: any day of the year, at once, whatever the ground named
        case(
            "newborn in March",
            G::FirstAttachment,
            kz(2026, 3, 2, 10, 0),
            vec![],
            Attach {
                effective_on: date(2026, 3, 2),
            },
        ),
        case(
            "arrival names free choice outside the campaign",
            G::FreeChoice,
            kz(2026, 1, 5, 9, 0),
            vec![],
            Attach {
                effective_on: date(2026, 1, 5),
            },
        ),
        case(
            "claims a first attachment but has a history",
            G::FirstAttachment,
            kz(2026, 10, 1, 9, 0),
            attached_elsewhere(),
            Refuse(R::NotFirstAttachment),
        ),
        // the campaign window's edges, in Kazakhstan time
        case(
            "the minute before the campaign",
            G::FreeChoice,
            kz(2026, 9, 14, 23, 59),
            attached_elsewhere(),
            Refuse(R::OutsideCampaign),
        ),
        case(
            "the campaign's first minute",
            G::FreeChoice,
            kz(2026, 9, 15, 0, 0),
            attached_elsewhere(),
            Attach {
                effective_on: date(2026, 9, 15),
            },
        ),
        case(
            "the campaign's last minute",
            G::FreeChoice,
            kz(2026, 11, 15, 23, 59),
            attached_elsewhere(),
            Attach {
                effective_on: date(2026, 11, 15),
            },
        ),
        case(
            "the minute after the campaign",
            G::FreeChoice,
            kz(2026, 11, 16, 0, 0),
            attached_elsewhere(),
            Refuse(R::OutsideCampaign),
        ),
        case(
            "19:30 UTC on 15 November is already the 16th in Kazakhstan",
            G::FreeChoice,
            Utc.with_ymd_and_hms(2026, 11, 15, 19, 30, 0).unwrap(),
            attached_elsewhere(),
            Refuse(R::OutsideCampaign),
        ),
        case(
            "18:59 UTC on 14 September is still the 14th in Kazakhstan",
            G::FreeChoice,
            Utc.with_ymd_and_hms(2026, 9, 14, 18, 59, 0).unwrap(),
            attached_elsewhere(),
            Refuse(R::OutsideCampaign),
        ),
        case(
            "19:00 UTC on 14 September is the campaign's first minute",
            G::FreeChoice,
            Utc.with_ymd_and_hms(2026, 9, 14, 19, 0, 0).unwrap(),
            attached_elsewhere(),
            Attach {
                effective_on: date(2026, 9, 15),
            },
        ),
        // the free-choice limit
        case(
            "a second free choice in the same campaign",
            G::FreeChoice,
            kz(2026, 11, 2, 11, 0),
            vec![
                past(
                    ELSEWHERE,
                    G::FirstAttachment,
                    date(2020, 5, 4),
                    Some(date(2026, 9, 20)),
                ),
                past("000240000011", G::FreeChoice, date(2026, 9, 20), None),
            ],
            Refuse(R::FreeChoiceLimitReached),
        ),
        case(
            "last year's free choice does not count",
            G::FreeChoice,
            kz(2026, 10, 2, 11, 0),
            vec![past(ELSEWHERE, G::FreeChoice, date(2025, 10, 1), None)],
            Attach {
                effective_on: date(2026, 10, 2),
            },
        ),
        Case {
            rules: rules_with(twice_a_year.clone()),
            ..case(
                "twice a year allows a second choice",
                G::FreeChoice,
                kz(2026, 11, 2, 11, 0),
                vec![past(ELSEWHERE, G::FreeChoice, date(2026, 9, 20), None)],
                Attach {
                    effective_on: date(2026, 11, 2),
                },
            )
        },
        Case {
            rules: rules_with(twice_a_year),
            ..case(
                "twice a year refuses a third",
                G::FreeChoice,
                kz(2026, 11, 2, 11, 0),
                vec![
                    past(
                        ELSEWHERE,
                        G::FreeChoice,
                        date(2026, 9, 16),
                        Some(date(2026, 10, 1)),
                    ),
                    past("000240000011", G::FreeChoice, date(2026, 10, 1), None),
                ],
                Refuse(R::FreeChoiceLimitReached),
            )
        },
        // grounds outside the campaign
        case(
            "change of residence after a free choice in the same year",
            G::ChangeOfResidence,
            kz(2026, 12, 10, 15, 0),
            vec![past(ELSEWHERE, G::FreeChoice, date(2026, 9, 20), None)],
            Attach {
                effective_on: date(2026, 12, 10),
            },
        ),
        case(
            "change of work in February",
            G::ChangeOfWorkOrStudy,
            kz(2026, 2, 10, 9, 0),
            attached_elsewhere(),
            Attach {
                effective_on: date(2026, 2, 10),
            },
        ),
        case(
            "previous clinic reorganized",
            G::ClinicReorganization,
            kz(2026, 6, 1, 9, 0),
            attached_elsewhere(),
            Attach {
                effective_on: date(2026, 6, 1),
            },
        ),
        case(
            "border area",
            G::BorderArea,
            kz(2026, 7, 1, 9, 0),
            attached_elsewhere(),
            Attach {
                effective_on: date(2026, 7, 1),
            },
        ),
        // consent and death come first
        Case {
            consent: false,
            ..case(
                "no consent, in the campaign",
                G::FreeChoice,
                kz(2026, 10, 1, 9, 0),
                attached_elsewhere(),
                Refuse(R::NoConsent),
            )
        },
        Case {
            consent: false,
            ..case(
                "no consent, first attachment",
                G::FirstAttachment,
                kz(2026, 3, 1, 9, 0),
                vec![],
                Refuse(R::NoConsent),
            )
        },
        // the year's campaign as reference data
        Case {
            rules: rules_with(campaign_2025.clone()),
            ..case(
                "2025: in the campaign, service from 1 January",
                G::FreeChoice,
                kz(2025, 9, 1, 8, 0),
                attached_elsewhere(),
                Attach {
                    effective_on: date(2026, 1, 1),
                },
            )
        },
        Case {
            rules: rules_with(campaign_2025),
            ..case(
                "2025: 15 September is after that year's campaign",
                G::FreeChoice,
                kz(2025, 11, 2, 8, 0),
                attached_elsewhere(),
                Refuse(R::OutsideCampaign),
            )
        },
        // leap years
        Case {
            rules: rules_with(leap_campaign.clone()),
            ..case(
                "a campaign ending on 29 February: its last day",
                G::FreeChoice,
                kz(2028, 2, 29, 18, 0),
                attached_elsewhere(),
                Attach {
                    effective_on: date(2028, 2, 29),
                },
            )
        },
        Case {
            rules: rules_with(leap_campaign),
            ..case(
                "a campaign ending on 29 February: 1 March",
                G::FreeChoice,
                kz(2028, 3, 1, 0, 0),
                attached_elsewhere(),
                Refuse(R::OutsideCampaign),
            )
        },
        case(
            "the seed window in a leap year",
            G::FreeChoice,
            kz(2028, 9, 15, 0, 0),
            attached_elsewhere(),
            Attach {
                effective_on: date(2028, 9, 15),
            },
        ),
        case(
            "first attachment on 29 February",
            G::FirstAttachment,
            kz(2028, 2, 29, 12, 0),
            vec![],
            Attach {
                effective_on: date(2028, 2, 29),
            },
        ),
    ];

    for case in cases {
        let attachment = AttachmentCase {
            ground: case.ground,
            consent_given: case.consent,
            decided_at: case.at,
            person_died_on: None,
            history: &case.history,
            clinic_bin: HERE,
            district_id: 3,
        };
        let decision = decide(&attachment, &case.rules).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        match (decision, case.expect) {
            (
                Decision::Attach { effective_on, .. },
                Expect::Attach {
                    effective_on: expected,
                },
            ) => {
                assert_eq!(effective_on, expected, "{}", case.name)
            }
            (Decision::Refuse { ground, .. }, Expect::Refuse(expected)) => {
                assert_eq!(ground, expected, "{}", case.name)
            }
            (decision, _) => panic!("{}: unexpected {decision:?}", case.name),
        }
    }
}
