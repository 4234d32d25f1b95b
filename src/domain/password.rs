//! Password policy (等保 identity controls): length and character classes.

/// Why a password was refused; each maps to a translated message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort(usize),
    TooFewClasses,
    ContainsUsername,
}

/// Minimum length for a business user; system administrators need more.
pub const MIN_LEN: usize = 8;
pub const MIN_LEN_ADMIN: usize = 12;

/// Checks a new password: at least `min_len` characters, at least 3 of the 4 classes
/// (lower, upper, digit, symbol), and not containing the username.
pub fn check(password: &str, username: &str, min_len: usize) -> Result<(), Weakness> {
    if password.chars().count() < min_len {
        return Err(Weakness::TooShort(min_len));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|x| **x).count() < 3 {
        return Err(Weakness::TooFewClasses);
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Weakness::ContainsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check("SafeCampus#2021", "s001.principal", 8), Ok(()));
        assert_eq!(check("short1A", "u", 8), Err(Weakness::TooShort(8)));
        assert_eq!(check("alllowercase", "u", 8), Err(Weakness::TooFewClasses));
        assert_eq!(
            check("Xy1#admin99", "admin", 8),
            Err(Weakness::ContainsUsername)
        );
        assert_eq!(
            check("SafeCampus#2021", "u", 16),
            Err(Weakness::TooShort(16))
        );
    }
}
