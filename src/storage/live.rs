//! Live changes of warnings inside one process: every write that raises, repeats, clears or
//! steps a warning publishes a signal after its transaction committed; each open stream (a
//! warnings page, a dashboard, the monitoring screen) receives them and keeps only those of
//! schools in its actor's scope ([`super::warnings::WarningStream`]). Several instances on one
//! PostgreSQL would relay the signals through `LISTEN/NOTIFY`; this is the in-process part.

use crate::domain::ids::WarningId;
use crate::domain::org::OrgPath;
use tokio::sync::broadcast;

/// Signals a slow stream may fall behind by before it skips (it then reads on from the newest).
const CAPACITY: usize = 4096;

/// A warning changed, at a school with this org path.
#[derive(Debug, Clone)]
pub(crate) struct Signal {
    pub warning: WarningId,
    pub school_path: OrgPath,
}

/// The process's channel of warning signals.
#[derive(Debug, Clone)]
pub(crate) struct Bus(broadcast::Sender<Signal>);

impl Bus {
    pub fn new() -> Bus {
        Bus(broadcast::channel(CAPACITY).0)
    }

    /// Publishes (after the commit; nobody listening is fine).
    pub fn publish(&self, warning: WarningId, school_path: OrgPath) {
        let _ = self.0.send(Signal {
            warning,
            school_path,
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.0.subscribe()
    }
}
