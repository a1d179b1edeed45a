//! The registry against a real PostgreSQL: enrolment, push, pull, look-up,
//! and the faults a workstation's link brings.

#[path = "../support/mod.rs"]
mod support;

use std::io::Write;

use anyhow::Result;
use emhana_domain::attachment::{AttachmentGround, RefusalGround};
use emhana_protocol::{
    AttachmentState, BookOp, CancelBookingOp, Change, DetachOp, DetachReason, ErrorBody, LeftReason, OpBody,
    OpOutcome, PersonLookup, RejectGround, SlotKey,
};
use support::{TestRegistry, at, person};

mod authors;
mod organization;
mod osms;
mod plans;
mod posts;
mod push;
mod serving;

fn applied(outcome: &OpOutcome) -> bool {
    matches!(outcome, OpOutcome::Applied)
}
