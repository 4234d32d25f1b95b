//! Password policy (等保 identity controls, GB/T 22239 8.1.4.1a): length, character classes,
//! not the username, not a common password. Pure: the history of a user's passwords and their
//! age are checked by storage, which knows them.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Why a password was refused; each names one rule and maps to a translated message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// Fewer characters than the minimum (the minimum).
    TooShort(usize),
    /// More characters than the maximum (the maximum).
    TooLong(usize),
    /// Fewer character classes than required (the number required).
    TooFewClasses(usize),
    /// Is, or contains, the username.
    ContainsUsername,
    /// On the list of common passwords.
    Common,
    /// One of the user's last passwords (how many are remembered).
    Reused(usize),
}

impl Weakness {
    /// The catalogue key of the rule and the figure it names, as the error carries them
    /// (`key|figure`, see `web::error::message`).
    pub fn message(self) -> String {
        match self {
            Weakness::TooShort(n) => format!("err.password.too_short|{n}"),
            Weakness::TooLong(n) => format!("err.password.too_long|{n}"),
            Weakness::TooFewClasses(n) => format!("err.password.classes|{n}"),
            Weakness::ContainsUsername => "err.password.username".into(),
            Weakness::Common => "err.password.common".into(),
            Weakness::Reused(n) => format!("err.password.reused|{n}"),
        }
    }
}

/// The rules a new password must meet (from `[security]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub min_len: usize,
    /// Longer passwords are refused (argon2 takes any length; this bounds the work per request).
    pub max_len: usize,
    /// Of the four classes: lower case, upper case, digits, symbols (anything else).
    pub min_classes: usize,
    pub reject_common: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_len: 10,
            max_len: MAX_LEN,
            min_classes: 3,
            reject_common: true,
        }
    }
}

/// The longest password accepted.
pub const MAX_LEN: usize = 256;

/// The shipped list of common passwords, lower case (`assets/passwords/common.txt`).
const COMMON: &str = include_str!("../../assets/passwords/common.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// True when `password` is on the common list (case-insensitive).
pub fn is_common(password: &str) -> bool {
    common().contains(password.to_lowercase().as_str())
}

/// How many of the four classes a password uses.
pub fn classes(password: &str) -> usize {
    [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count()
}

/// Checks a new password against the policy; every rule it breaks, in the order above (empty
/// when it is acceptable). Characters are counted, not bytes, and nothing is truncated.
pub fn check(password: &str, username: &str, policy: &Policy) -> Vec<Weakness> {
    let mut out = Vec::new();
    let n = password.chars().count();
    if n < policy.min_len {
        out.push(Weakness::TooShort(policy.min_len));
    }
    if n > policy.max_len {
        out.push(Weakness::TooLong(policy.max_len));
    }
    if classes(password) < policy.min_classes {
        out.push(Weakness::TooFewClasses(policy.min_classes));
    }
    let name = username.trim().to_lowercase();
    if !name.is_empty() && password.to_lowercase().contains(&name) {
        out.push(Weakness::ContainsUsername);
    }
    if policy.reject_common && is_common(password) {
        out.push(Weakness::Common);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(min_len: usize) -> Policy {
        Policy {
            min_len,
            ..Policy::default()
        }
    }

    #[test]
    fn policy() {
        assert_eq!(check("SafeCampus#2021", "s001.principal", &p(10)), vec![]);
        assert_eq!(check("short1A", "u", &p(8)), vec![Weakness::TooShort(8)]);
        assert_eq!(
            check("alllowercase", "u", &p(8)),
            vec![Weakness::TooFewClasses(3)]
        );
        assert_eq!(
            check("Xy1#admin99", "admin", &p(8)),
            vec![Weakness::ContainsUsername]
        );
        assert_eq!(
            check("SafeCampus#2021", "zz", &p(16)),
            vec![Weakness::TooShort(16)]
        );
        assert_eq!(check("P@ssw0rd123", "u", &p(10)), vec![Weakness::Common]);
        assert_eq!(check("Admin@123456", "u", &p(10)), vec![Weakness::Common]);
        let long = format!("Aa1#{}", "x".repeat(80));
        assert_eq!(check(&long, "u", &p(10)), vec![]);
        let too_long = format!("Aa1#{}", "x".repeat(MAX_LEN));
        assert_eq!(
            check(&too_long, "u", &p(10)),
            vec![Weakness::TooLong(MAX_LEN)]
        );
        // Each three of the four classes is enough; two are not.
        for ok in ["abcdefgh12#", "ABCDEFGH12#", "abcdEFGH#%#", "abcdEFGH123"] {
            assert_eq!(check(ok, "u", &p(10)), vec![], "{ok}");
        }
        for bad in ["abcdefgh123", "ABCDEFGH###", "1234567890#", "abcdEFGHxyz"] {
            assert_eq!(
                check(bad, "u", &p(10)),
                vec![Weakness::TooFewClasses(3)],
                "{bad}"
            );
        }
        // Every rule broken is named.
        assert_eq!(
            check("admin", "admin", &p(10)),
            vec![
                Weakness::TooShort(10),
                Weakness::TooFewClasses(3),
                Weakness::ContainsUsername,
                Weakness::Common
            ]
        );
    }

    #[test]
    fn the_common_list_is_shipped_and_lower_case() {
        assert!(common().len() >= 3000);
        assert!(common().iter().all(|w| *w == w.to_lowercase()));
        assert!(is_common("PASSWORD") && is_common("Woaini1314") && is_common("qwerty123"));
        assert!(!is_common("SafeCampus#2021"));
    }
}
