//! Live changes of warnings: every write that raises, repeats, clears or steps a warning
//! publishes a signal after its transaction committed; each open stream (a warnings page, a
//! dashboard, the monitoring screen) receives them and keeps only those of schools in its
//! actor's scope ([`super::warnings::WarningStream`]).
//!
//! On PostgreSQL several instances may serve one database: a signal is also sent as a
//! `NOTIFY` on [`CHANNEL`], and every instance `LISTEN`s and passes on the signals of the
//! others, so a stream on one instance shows a warning raised through another. A signal
//! carries ids only (the warning and its school's org path), never its text: a stream reads
//! the warning through its own scoped handle.

use crate::domain::ids::WarningId;
use crate::domain::org::OrgPath;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::{broadcast, mpsc};

/// Signals a slow stream may fall behind by before it skips (it then reads on from the newest).
const CAPACITY: usize = 4096;

/// The PostgreSQL notification channel of warning signals.
pub const CHANNEL: &str = "safecampus_warnings";

/// A warning changed, at a school with this org path.
#[derive(Debug, Clone)]
pub(crate) struct Signal {
    pub warning: WarningId,
    pub school_path: OrgPath,
}

/// The process's channel of warning signals.
#[derive(Debug, Clone)]
pub(crate) struct Bus {
    local: broadcast::Sender<Signal>,
    /// To the task that sends this process's signals to the other instances (PostgreSQL).
    relay: Option<mpsc::UnboundedSender<Signal>>,
}

impl Bus {
    /// A bus of this process alone (SQLite: one instance per database file).
    pub fn new() -> Bus {
        Bus {
            local: broadcast::channel(CAPACITY).0,
            relay: None,
        }
    }

    /// A bus shared with every instance on the same PostgreSQL database, through
    /// `LISTEN/NOTIFY`. Must be called inside the runtime (it starts the two relay tasks).
    pub fn shared(conn: &DatabaseConnection) -> Bus {
        if conn.get_database_backend() != DbBackend::Postgres {
            return Bus::new();
        }
        let local = broadcast::channel(CAPACITY).0;
        // This instance's mark on what it sends, so it does not pass its own signals twice.
        let me: u64 = rand::random();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(send_out(conn.clone(), me, rx));
        tokio::spawn(listen(conn.clone(), me, local.clone()));
        Bus {
            local,
            relay: Some(tx),
        }
    }

    /// Publishes (after the commit; nobody listening is fine).
    pub fn publish(&self, warning: WarningId, school_path: OrgPath) {
        let s = Signal {
            warning,
            school_path,
        };
        if let Some(relay) = &self.relay {
            let _ = relay.send(s.clone());
        }
        let _ = self.local.send(s);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.local.subscribe()
    }
}

fn payload(me: u64, s: &Signal) -> String {
    format!("{me}:{}:{}", s.warning.0, s.school_path.as_str())
}

fn parse(payload: &str) -> Option<(u64, Signal)> {
    let mut parts = payload.splitn(3, ':');
    let from = parts.next()?.parse().ok()?;
    let warning = WarningId(parts.next()?.parse().ok()?);
    let school_path = OrgPath::parse(parts.next()?)?;
    Some((
        from,
        Signal {
            warning,
            school_path,
        },
    ))
}

/// Sends this process's signals as notifications (each after its own commit, so another
/// instance reads the committed warning).
async fn send_out(conn: DatabaseConnection, me: u64, mut rx: mpsc::UnboundedReceiver<Signal>) {
    while let Some(s) = rx.recv().await {
        let st = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload(me, &s).into()],
        );
        if let Err(e) = conn.execute_raw(st).await {
            tracing::warn!(error = %e, "a warning signal could not be sent to the other instances");
        }
    }
}

/// Passes the other instances' signals to this process's streams. The listener reconnects by
/// itself; signals sent while it was away are lost (a stream's page reads the list again when
/// it reconnects).
async fn listen(conn: DatabaseConnection, me: u64, local: broadcast::Sender<Signal>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let pool = conn.get_postgres_connection_pool();
        // The database was closed (a command's or a test's end): nothing left to listen to.
        if pool.is_closed() {
            return;
        }
        let mut listener = match PgListener::connect_with(pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other instances' warning signals");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "cannot listen for other instances' warning signals");
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(n) => match parse(n.payload()) {
                    Some((from, s)) if from != me => {
                        let _ = local.send(s);
                    }
                    Some(_) => {}
                    None => tracing::warn!("an unreadable warning signal was ignored"),
                },
                Err(e) => {
                    tracing::warn!(error = %e, "the warning signal listener stopped; reconnecting");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_travels_as_ids_and_back() {
        let s = Signal {
            warning: WarningId(42),
            school_path: OrgPath::parse("/1/2/7/").expect("path"),
        };
        let (from, back) = parse(&payload(9, &s)).expect("parsed");
        assert_eq!(from, 9);
        assert_eq!(back.warning, s.warning);
        assert_eq!(back.school_path, s.school_path);
        for bad in ["", "x:1:/1/", "1:x:/1/", "1:2:not a path", "1:2"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
