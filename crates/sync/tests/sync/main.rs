//! Workstations syncing with a real registry on PostgreSQL: the first sync,
//! two clinics attaching one person offline, answers lost on the way.

#[path = "../support/mod.rs"]
mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;
use emhana_domain::attachment::RefusalGround;
use emhana_domain::documents::DocumentOutcome;
use emhana_protocol::{PullQuery, PullResponse, PushRequest, PushResponse, RejectGround};
use emhana_sync::{HttpTransport, Progress, SyncEngine, SyncSettings, Transport, TransportError};
use emhana_workstation::AttentionAction;
use support::{
    Region, attach, attached_here, kz, local_count, one_attached_here, register_newborn, sync_round,
};

mod attachment;
mod audit;
mod bookings;
mod calls;
mod faults;
mod lookup;
mod organization;
mod osms;
mod person_changes;
mod plans;
mod posts;
mod reference;
mod snapshot;

fn small_pages() -> SyncSettings {
    SyncSettings {
        push_batch: 50,
        pull_page: 400,
        first_sync_group: 800,
        ..SyncSettings::default()
    }
}
