//! What the registrars do in the simulation: attach, register a newborn, move a district, record a death, book, push bookings over a link.

use emhana_domain::booking::{BookingChannel, BookingStatus, VisitReason};
use emhana_domain::care_plan::{BasisDocument, Condition, EnrolmentBasis, RiskLevel, VisitOutcome};
use emhana_domain::schedule::{ExceptionKind, ScheduleException};
use emhana_workstation::{BookingForm, HomeVisitError, PlanRequest};

use super::*;

impl Simulation {
    pub(super) async fn person_by_iin(store: &Workstation, iin: &str) -> Result<Option<i64>> {
        Ok(store.search(iin, 1).await?.hits.first().map(|hit| hit.id))
    }

    pub(super) async fn apply(
        &mut self,
        post: usize,
        person_id: i64,
        ground: AttachmentGround,
    ) -> Result<String> {
        let at = self.when();
        let store = self.posts[post].store.clone();
        let options = store.attachment_options(person_id, at).await?;
        ensure!(!options.districts.is_empty(), "the clinic has districts");
        let district = &options.districts[self.rng.random_range(0..options.districts.len())];
        let outcome = store
            .apply_for_attachment(
                &ApplicationForm {
                    person_id,
                    channel: Channel::InPerson,
                    ground,
                    district_id: Some(district.id),
                    document_kind: Some(DocumentKind::BirthCertificate),
                    document_number: "0012345".into(),
                    consent: ConsentForm {
                        given: Some(true),
                        ..ConsentForm::default()
                    },
                    // a move names where to: a temporary residence on the chosen district's streets
                    new_residence: (ground == AttachmentGround::ChangeOfResidence).then(|| NewResidence {
                        address: emhana_domain::Address {
                            settlement: "Астана".into(),
                            street: "Абай даңғылы".into(),
                            house: "1".into(),
                            apartment: None,
                        },
                        temporary: true,
                    }),
                },
                at,
            )
            .await;
        Ok(match outcome {
            Ok(outcome) => format!(
                "{ground:?} person {person_id} district {}: {:?}",
                district.number, outcome.decision
            ),
            // the workstation itself refused (already attached there, ...): nothing sent
            Err(error) => format!("{ground:?} person {person_id}: refused here ({error:?})"),
        })
    }

    pub(super) async fn attach_newborn(&mut self, post: usize) -> Result<String> {
        let form = newborn(self.rng.random_range(1..=NEWBORNS));
        let store = self.posts[post].store.clone();
        let person_id = match Self::person_by_iin(&store, &form.iin).await? {
            Some(id) => id,
            None => store
                .register_person(&form, self.when())
                .await
                .map_err(|error| anyhow!("registering {}: {error:?}", form.iin))?,
        };
        let label = self
            .apply(post, person_id, AttachmentGround::FirstAttachment)
            .await?;
        Ok(format!("newborn {}: {label}", form.iin))
    }

    /// The `MOVABLE` first persons of the clinic's register by IIN, as this
    /// workstation holds it.
    pub(super) async fn movable(&self, post: usize) -> Result<Vec<i64>> {
        let pool = read_only(&self.posts[post].path).await?;
        let ids = sqlx::query_scalar(
            "SELECT p.id FROM person p JOIN attachment a ON a.person_id = p.id AND a.ended_on IS NULL \
             JOIN clinic c ON c.id = a.clinic_id AND c.is_home = 1 ORDER BY p.iin LIMIT ?",
        )
        .bind(MOVABLE)
        .fetch_all(&pool)
        .await?;
        pool.close().await;
        Ok(ids)
    }

    pub(super) async fn move_district(&mut self, post: usize) -> Result<String> {
        let movable = self.movable(post).await?;
        if movable.is_empty() {
            return Ok("nobody to move".into());
        }
        let person_id = movable[self.rng.random_range(0..movable.len())];
        self.apply(post, person_id, AttachmentGround::ChangeOfResidence)
            .await
    }

    pub(super) async fn record_death(&mut self, post: usize) -> Result<String> {
        let movable = self.movable(post).await?;
        if movable.is_empty() {
            return Ok("nobody to record".into());
        }
        let person_id = movable[self.rng.random_range(0..movable.len())];
        let at = self.when();
        let recorded = self.posts[post]
            .store
            .detach(person_id, DetachmentReason::Died, at.date_naive(), at)
            .await?;
        Ok(format!("death of person {person_id}: recorded {recorded}"))
    }

    pub(super) async fn book(&mut self, post: usize) -> Result<String> {
        let slot = self.rng.random_range(0..SLOTS);
        let iin = self.booking_iins[self.rng.random_range(0..self.booking_iins.len())].clone();
        let made_at = self.when();
        let hlc = Hlc::next(self.posts[post].hlc, made_at.timestamp_millis());
        self.posts[post].hlc = Some(hlc);
        let op = Op {
            id: Uuid::now_v7(),
            workstation: self.posts[post].id,
            actor_iin: None,
            made_at,
            hlc,
            body: OpBody::Book(BookOp {
                slot: SlotKey {
                    clinic_bin: self.posts[post].bin.clone(),
                    staff_iin: self.staff_iin.clone(),
                    starts_at: kz(2026, 12, 1, 9) + TimeDelta::minutes(15 * slot),
                },
                iin,
                booking: None,
            }),
        };
        self.bookings.push(RawBooking {
            post,
            op,
            answered: None,
        });
        Ok(format!("booking of slot {slot} made"))
    }

    /// Sends the post's unanswered bookings, as the outbox would.
    pub(super) async fn push_bookings(&mut self, post: usize, link: Link) -> Result<String> {
        let engine = self.posts[post].engine(&self.region, link);
        let pending: Vec<usize> = (0..self.bookings.len())
            .filter(|&i| self.bookings[i].post == post && self.bookings[i].answered.is_none())
            .collect();
        if pending.is_empty() {
            return Ok("no bookings to send".into());
        }
        let request = PushRequest {
            ops: pending
                .iter()
                .map(|&i| serde_json::to_value(&self.bookings[i].op))
                .collect::<Result<_, _>>()?,
        };
        match engine.transport().push(&request).await {
            Ok(response) => {
                ensure!(response.results.len() == pending.len(), "one answer per op");
                for (result, &i) in response.results.into_iter().zip(&pending) {
                    ensure!(result.op == self.bookings[i].op.id, "answers in order");
                    self.bookings[i].answered = Some(result.outcome);
                }
                Ok(format!("bookings {link:?}: {} answered", pending.len()))
            }
            Err(_) => Ok(format!("bookings {link:?}: failed")),
        }
    }
}

impl Simulation {
    /// The registrar takes a home call for one of the clinic's first persons
    /// (the ones the others move and record dead, so calls meet those too).
    pub(super) async fn take_call(&mut self, post: usize) -> Result<String> {
        let movable = self.movable(post).await?;
        if movable.is_empty() {
            return Ok("nobody to call for".into());
        }
        let person_id = movable[self.rng.random_range(0..movable.len())];
        let temperature = [None, Some(37.4), Some(38.6)][self.rng.random_range(0..3)];
        let form = CallForm {
            person_id,
            caller: "сам".into(),
            caller_phone: None,
            complaint: "температура".into(),
            temperature,
            indications: vec![],
            pregnant: false,
            registrar_wants_doctor: self.rng.random_bool(0.2),
            goes: None,
        };
        let at = self.when();
        Ok(match self.posts[post].store.register_call(&form, at).await {
            Ok(call) => format!("call {} for person {person_id} to {:?}", call.number, call.goes),
            Err(error) => format!("call for person {person_id}: refused here ({error:?})"),
        })
    }

    /// A nurse records how one of the journal's calls went, or the registrar
    /// sends someone else: on one PC while another may be doing the same.
    pub(super) async fn change_call(&mut self, post: usize) -> Result<String> {
        let pool = read_only(&self.posts[post].path).await?;
        let calls: Vec<i64> = sqlx::query_scalar("SELECT id FROM home_call ORDER BY uid")
            .fetch_all(&pool)
            .await?;
        pool.close().await;
        if calls.is_empty() {
            return Ok("no call to change".into());
        }
        let call = calls[self.rng.random_range(0..calls.len())];
        let store = self.posts[post].store.clone();
        let at = self.when();
        let outcome = match self.rng.random_range(0..4) {
            0 => store.set_call_status(call, CallStatus::Served, None, at).await,
            1 => store.set_call_status(call, CallStatus::NotAtHome, None, at).await,
            2 => store.set_call_status(call, CallStatus::Cancelled, None, at).await,
            _ => {
                let nurses = store.nurses().await?;
                let nurse = &nurses[self.rng.random_range(0..nurses.len())];
                store.reassign_call(call, nurse.id, at).await
            }
        };
        Ok(match outcome {
            Ok(view) => format!("call {} now {:?}", view.number, view.status),
            Err(error) => format!("call {call}: refused here ({error:?})"),
        })
    }

    /// A registrar books one of the clinic's first persons with its first
    /// doctor, in one of the doctor's next four free slots as this window
    /// sees them: the clinic's windows race for the same slots.
    pub(super) async fn book_at_window(&mut self, post: usize) -> Result<String> {
        let movable = self.movable(post).await?;
        if movable.is_empty() {
            return Ok("nobody to book".into());
        }
        let person_id = movable[self.rng.random_range(0..movable.len())];
        let store = self.posts[post].store.clone();
        let Some(doctor) = store.doctors().await?.into_iter().next() else {
            return Ok("no doctor to book with".into());
        };
        let at = self.when();
        let slots = store.free_slots(doctor.id, None, 4, at).await?;
        if slots.is_empty() {
            return Ok("no free slot".into());
        }
        let slot = &slots[self.rng.random_range(0..slots.len())];
        let form = BookingForm {
            person_id,
            staff_id: doctor.id,
            starts_at: slot.starts,
            reason: VisitReason::AcuteOrExacerbation,
            channel: BookingChannel::InPerson,
        };
        Ok(match store.book(&form, at).await {
            Ok(view) => format!("booked {} at {}", view.number, slot.starts),
            Err(error) => format!("booking at {}: refused here ({error:?})", slot.starts),
        })
    }

    /// A window marks one of its active bookings arrived, absent or
    /// cancelled (refused here when the day has not come, or the booking is
    /// already final here).
    pub(super) async fn change_booking(&mut self, post: usize) -> Result<String> {
        let pool = read_only(&self.posts[post].path).await?;
        let bookings: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM booking WHERE status IN ('booked', 'arrived', 'no_show') ORDER BY uid",
        )
        .fetch_all(&pool)
        .await?;
        pool.close().await;
        if bookings.is_empty() {
            return Ok("no booking to change".into());
        }
        let booking = bookings[self.rng.random_range(0..bookings.len())];
        let status = [
            BookingStatus::Arrived,
            BookingStatus::NoShow,
            BookingStatus::Cancelled,
        ][self.rng.random_range(0..3)];
        let at = self.when();
        Ok(
            match self.posts[post]
                .store
                .set_booking_status(booking, status, at)
                .await
            {
                Ok(view) => format!("booking {} now {:?}", view.number, view.status),
                Err(error) => format!("booking {booking} {status:?}: refused here ({error:?})"),
            },
        )
    }

    /// At the parent clinic's PC: someone else sent to one of its post's open
    /// calls (the post's other staff, or the parent's). Refused here when
    /// the PC already knows the call closed; nothing to do at the post's PCs.
    pub(super) async fn send_to_post_call(&mut self, post: usize) -> Result<String> {
        let store = self.posts[post].store.clone();
        // a day far ahead lists every post's call still open
        let ahead = emhana_domain::kazakhstan_time(self.now).date() + TimeDelta::days(60);
        let calls = store.post_calls(ahead).await?;
        if calls.is_empty() {
            return Ok("no post's call to send anyone to".into());
        }
        let call = &calls[self.rng.random_range(0..calls.len())];
        let staff = store.post_call_staff(call.id).await?;
        if staff.is_empty() {
            return Ok("nobody to send to a post's call".into());
        }
        let to = &staff[self.rng.random_range(0..staff.len())];
        let at = self.when();
        Ok(match store.reassign_post_call(call.id, to.id, at).await {
            Ok(view) => format!("post's call {} sent to {}", view.number, to.full_name),
            Err(error) => format!("post's call {}: refused here ({error:?})", call.number),
        })
    }

    /// A doctor enrols one of the clinic's first persons in observation
    /// (refused here when a plan is already open: one open plan per condition).
    pub(super) async fn open_plan(&mut self, post: usize) -> Result<String> {
        let movable = self.movable(post).await?;
        if movable.is_empty() {
            return Ok("nobody to enrol".into());
        }
        let person_id = movable[self.rng.random_range(0..movable.len())];
        let at = self.when();
        let enrolled = emhana_domain::kazakhstan_time(at).date();
        let risk = [RiskLevel::Low, RiskLevel::High][self.rng.random_range(0..2)];
        let request = PlanRequest::Observation {
            condition: Condition::ArterialHypertension,
            risk,
            enrolled,
            basis: EnrolmentBasis {
                document: BasisDocument::DistrictDoctorConclusion,
                dated: enrolled,
            },
        };
        Ok(
            match self.posts[post].store.open_plan(person_id, &request, at).await {
                Ok(plan) => format!("plan {} for person {person_id}", plan.id),
                Err(error) => format!("plan for person {person_id}: refused here ({error:?})"),
            },
        )
    }

    /// A nurse records a visit's outcome, or undoes one, or the doctor
    /// changes the plan's risk: on one PC while another may do the same.
    pub(super) async fn change_plan(&mut self, post: usize) -> Result<String> {
        let pool = read_only(&self.posts[post].path).await?;
        let visits: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT v.id, v.plan_id FROM plan_visit v JOIN care_plan cp ON cp.id = v.plan_id \
             WHERE cp.closed_on IS NULL ORDER BY v.uid",
        )
        .fetch_all(&pool)
        .await?;
        pool.close().await;
        if visits.is_empty() {
            return Ok("no plan to change".into());
        }
        let (visit, plan) = visits[self.rng.random_range(0..visits.len())];
        let store = self.posts[post].store.clone();
        let at = self.when();
        let done = match self.rng.random_range(0..5) {
            0 => {
                let risk = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High][self.rng.random_range(0..3)];
                store
                    .change_plan_risk(plan, risk, at)
                    .await
                    .map(|_| format!("plan {plan} now {risk:?}"))
            }
            choice => {
                let outcome =
                    [VisitOutcome::Done, VisitOutcome::NotAtHome, VisitOutcome::Refused][choice % 3];
                let mut last = Err(HomeVisitError::VisitNotFound { id: visit });
                // as the nurse of the person's district, whoever she is here
                for nurse in store.nurses().await? {
                    last = if choice == 4 {
                        store.undo_visit_outcome(visit, nurse.id, at).await
                    } else {
                        store
                            .record_visit_outcome(visit, outcome, None, nurse.id, None, at)
                            .await
                    };
                    if last.is_ok() {
                        break;
                    }
                }
                last.map(|view| format!("visit {visit} now {:?}", view.outcome))
            }
        };
        Ok(done.unwrap_or_else(|error| format!("plan {plan}: refused here ({error:?})")))
    }

    /// The head gives a doctor a day's leave in the coming weeks: the same
    /// doctor on every PC of the clinic, so two PCs change the schedule offline.
    pub(super) async fn change_schedule(&mut self, post: usize) -> Result<String> {
        let store = self.posts[post].store.clone();
        let Some(doctor) = store.doctors().await?.into_iter().next() else {
            return Ok("no doctor".into());
        };
        let at = self.when();
        let day = emhana_domain::kazakhstan_time(at).date() + TimeDelta::days(self.rng.random_range(1..20));
        let leave = ScheduleException {
            first_day: day,
            last_day: day,
            kind: ExceptionKind::Leave,
            sessions: vec![],
        };
        Ok(match store.add_schedule_exception(doctor.id, &leave, at).await {
            Ok(_) => format!("doctor {} on leave {day}", doctor.id),
            Err(error) => format!("leave on {day}: refused here ({error:?})"),
        })
    }
}
