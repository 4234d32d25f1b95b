//! Configuration in layers: built-in defaults → optional TOML file → environment variables
//! (`SAFECAMPUS_*`) → command-line flags. No global: the resolved [`Config`] is passed down.

use serde::Deserialize;
use std::path::Path;

/// Sign-in and session limits (domain.md §10.2 defaults).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Security {
    /// Failed sign-ins within the window that lock an account.
    pub max_failures: u32,
    pub failure_window_minutes: i64,
    pub lockout_minutes: i64,
    /// A session unused this long ends.
    pub idle_timeout_minutes: i64,
    /// A session ends this long after sign-in, used or not.
    pub absolute_timeout_hours: i64,
    /// Send cookies with `Secure` (set when served over HTTPS, e.g. behind a TLS proxy).
    pub secure_cookies: bool,
}

impl Default for Security {
    fn default() -> Self {
        Security {
            max_failures: 5,
            failure_window_minutes: 15,
            lockout_minutes: 30,
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
            secure_cookies: false,
        }
    }
}

/// Risk grading configuration: LEC bands, control levels by grade, review intervals
/// (defaults from domain.md; the district may change them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Risk {
    pub lec_bands: crate::domain::risk::LecBands,
    pub control_levels: crate::domain::risk::ControlLevels,
    pub review: crate::domain::risk::ReviewPolicy,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub listen: String,
    pub database_url: String,
    /// Log as JSON lines (for collectors) instead of human-readable text.
    pub log_json: bool,
    /// The address people use to reach the platform (e.g. `http://safecampus.edu.local`), for
    /// the QR codes on printed risk cards; defaults to the request's own host.
    pub public_url: Option<String>,
    pub security: Security,
    pub risk: Risk,
}

pub const DEFAULT_DB: &str = "sqlite://data/safecampus.db?mode=rwc";
pub const DEMO_DB: &str = "sqlite://data/demo.db?mode=rwc";

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: DEFAULT_DB.into(),
            log_json: false,
            public_url: None,
            security: Security::default(),
            risk: Risk::default(),
        }
    }
}

impl Config {
    /// Reads the TOML file if given; a missing or malformed file is an error, not a default.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut c = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("config {}: {e}", p.display()))?
            }
            None => Config::default(),
        };
        if let Ok(v) = std::env::var("SAFECAMPUS_LOG_JSON") {
            c.log_json = v == "1" || v.eq_ignore_ascii_case("true");
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration example in the README parses.
    #[test]
    fn readme_example_parses() {
        let readme = include_str!("../README.md");
        let start = readme.find("```toml\nlisten").expect("example in README") + 8;
        let end = start + readme[start..].find("```").expect("end of example");
        let c: Config = toml::from_str(&readme[start..end]).expect("README example");
        assert_eq!(c.security.lockout_minutes, 30);
        assert_eq!(c.risk.review.days(crate::domain::risk::Grade::Major), 30);
        assert!(c.public_url.is_some());
    }

    #[test]
    fn file_overrides_defaults_and_rejects_unknown_keys() {
        let c: Config =
            toml::from_str("listen = \"0.0.0.0:9000\"\n[security]\nlockout_minutes = 5\n").unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.security.lockout_minutes, 5);
        assert_eq!(c.security.max_failures, 5);
        assert!(toml::from_str::<Config>("lisen = 1").is_err());
    }
}
