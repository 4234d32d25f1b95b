//! Field encryption at rest (T-PR-2): the columns that hold minors' and guardians' personal
//! data (the bus riders, the people an incident report names) and the second factor's TOTP
//! secrets are stored sealed with AES-256-GCM.
//!
//! - **Format.** `sc1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`: a fresh random 96-bit
//!   nonce per value; the associated data names the value's table and column, so a value
//!   copied into another column (or another table) does not open. The key id is 8 hex digits
//!   of the key's SHA-256 (it names the key, it does not reveal it).
//! - **Keys.** A [`Keyring`] holds one current key (it seals) and older keys (they only open),
//!   for rotation. The keys come from the environment (`SAFECAMPUS_FIELD_KEY`,
//!   `SAFECAMPUS_FIELD_KEY_OLD`) or from key files (`[security] field_key_file`,
//!   `field_old_key_files`); never from the database ([`store`] keeps only a check value).
//! - **Errors.** A value that does not open names its column and why (a key not configured,
//!   or a wrong key / corrupt value); never the value.

pub mod store;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The format's version tag.
pub const VERSION: &str = "sc1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const KEY_ID_LEN: usize = 8;

/// A column whose values are sealed: its table, its name and the table's key column (by
/// which a re-sealing writes a row back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub table: &'static str,
    pub column: &'static str,
    pub key: &'static str,
}

impl Column {
    const fn new(table: &'static str, column: &'static str, key: &'static str) -> Column {
        Column { table, column, key }
    }

    /// `table.column`, for messages.
    pub fn name(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }

    fn aad(&self) -> Vec<u8> {
        format!("safecampus:{VERSION}:{}.{}", self.table, self.column).into_bytes()
    }
}

pub const RIDER_NAME: Column = Column::new("bus_riders", "name", "id");
pub const RIDER_CLASS: Column = Column::new("bus_riders", "class_name", "id");
pub const RIDER_STOP: Column = Column::new("bus_riders", "stop", "id");
pub const RIDER_GUARDIAN: Column = Column::new("bus_riders", "guardian", "id");
pub const RIDER_PHONE: Column = Column::new("bus_riders", "phone", "id");
/// The people an incident report names (a JSON list: names, ages, notes).
pub const INCIDENT_PERSONS: Column = Column::new("incident_reports", "persons", "id");
/// The second factor's TOTP secret (base32 once opened).
pub const MFA_SECRET: Column = Column::new("user_mfa", "secret", "user_id");
/// The check value that tells a wrong key at start ([`store`]).
pub const CHECK: Column = Column::new("field_key_check", "check_value", "id");

/// Every sealed column of the data (the check value apart).
pub const COLUMNS: &[Column] = &[
    RIDER_NAME,
    RIDER_CLASS,
    RIDER_STOP,
    RIDER_GUARDIAN,
    RIDER_PHONE,
    INCIDENT_PERSONS,
    MFA_SECRET,
];

/// Why a value could not be sealed or opened, or a key not loaded. Names columns and key
/// ids, never a value or a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("no field key is configured (set SAFECAMPUS_FIELD_KEY or [security] field_key_file)")]
    NoKey,
    #[error("{column} was sealed with field key {key_id}, which is not configured")]
    UnknownKey { column: String, key_id: String },
    #[error("{column} cannot be opened: wrong field key or corrupt value")]
    Corrupt { column: String },
    #[error("{column} holds a value that is not sealed")]
    NotSealed { column: String },
    #[error("a field key must be 32 bytes written in base64 ({0})")]
    BadKey(String),
}

/// One AES-256 key and its id.
pub struct FieldKey {
    id: String,
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for FieldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldKey({})", self.id)
    }
}

impl FieldKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<FieldKey, SealError> {
        if bytes.len() != 32 {
            return Err(SealError::BadKey(format!("{} bytes", bytes.len())));
        }
        let mut h = Sha256::new();
        h.update(b"safecampus field key id\0");
        h.update(bytes);
        let id = hex::encode(&h.finalize()[..KEY_ID_LEN / 2]);
        Ok(FieldKey {
            id,
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(bytes)),
        })
    }

    /// A key written in base64 (standard alphabet, padding optional; surrounding whitespace
    /// ignored).
    pub fn from_base64(text: &str) -> Result<FieldKey, SealError> {
        let t = text.trim().trim_end_matches('=');
        let bytes = B64
            .decode(t)
            .map_err(|_| SealError::BadKey("not base64".into()))?;
        FieldKey::from_bytes(&bytes)
    }

    /// A new random key, with its base64 text (to write into a key file).
    pub fn generate() -> (FieldKey, String) {
        let bytes = Aes256Gcm::generate_key(OsRng);
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        let key = FieldKey::from_bytes(&bytes).expect("32 bytes");
        (key, text)
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The keys of this process: the current one seals, every one opens the values it sealed.
/// Cheap to clone.
#[derive(Clone, Default)]
pub struct Keyring {
    current: Option<Arc<FieldKey>>,
    old: Vec<Arc<FieldKey>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Keyring(current: {:?}, old: {:?})",
            self.current_id(),
            self.old_ids()
        )
    }
}

impl Keyring {
    /// A keyring whose `current` seals and whose `old` keys only open. The same key given as
    /// old too is dropped from the old ones.
    pub fn new(current: FieldKey, old: Vec<FieldKey>) -> Keyring {
        let mut seen = vec![current.id.clone()];
        let mut olds = Vec::new();
        for k in old {
            if !seen.contains(&k.id) {
                seen.push(k.id.clone());
                olds.push(Arc::new(k));
            }
        }
        Keyring {
            current: Some(Arc::new(current)),
            old: olds,
        }
    }

    /// No key: sealing and opening fail with [`SealError::NoKey`].
    pub fn unset() -> Keyring {
        Keyring::default()
    }

    /// A random key living only as long as the process (an in-memory database, whose data
    /// dies with it).
    pub fn ephemeral() -> Keyring {
        Keyring::new(FieldKey::generate().0, Vec::new())
    }

    pub fn current_id(&self) -> Option<&str> {
        self.current.as_deref().map(FieldKey::id)
    }

    pub fn old_ids(&self) -> Vec<&str> {
        self.old.iter().map(|k| k.id()).collect()
    }

    /// Whether a key of this id is in the ring (current or old).
    pub fn has(&self, id: &str) -> bool {
        self.key(id).is_some()
    }

    fn key(&self, id: &str) -> Option<&FieldKey> {
        self.current
            .iter()
            .chain(self.old.iter())
            .map(|k| k.as_ref())
            .find(|k| k.id == id)
    }

    /// Seals `plain` for `col` with the current key.
    pub fn seal(&self, col: Column, plain: &str) -> Result<String, SealError> {
        let key = self.current.as_deref().ok_or(SealError::NoKey)?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = col.aad();
        let ct = key
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Corrupt { column: col.name() })?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(format!("{VERSION}:{}:{}", key.id, B64.encode(out)))
    }

    /// Opens a value of `col` sealed by any key of the ring.
    pub fn open(&self, col: Column, stored: &str) -> Result<String, SealError> {
        let Some((id, body)) = parts(stored) else {
            return Err(SealError::NotSealed { column: col.name() });
        };
        if self.current.is_none() {
            return Err(SealError::NoKey);
        }
        let key = self.key(id).ok_or_else(|| SealError::UnknownKey {
            column: col.name(),
            key_id: id.to_string(),
        })?;
        let corrupt = || SealError::Corrupt { column: col.name() };
        let bytes = B64.decode(body).map_err(|_| corrupt())?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(corrupt());
        }
        let (nonce, ct) = bytes.split_at(NONCE_LEN);
        let aad = col.aad();
        let plain = key
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| corrupt())?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }

    /// The value sealed with the current key: one already sealed with it is kept as it is,
    /// one sealed with an older key is opened and sealed again, a plain one is sealed.
    pub fn reseal(&self, col: Column, stored: &str) -> Result<Option<String>, SealError> {
        let current = self.current_id().ok_or(SealError::NoKey)?;
        match key_id(stored) {
            Some(id) if id == current => Ok(None),
            Some(_) => Ok(Some(self.seal(col, &self.open(col, stored)?)?)),
            None => Ok(Some(self.seal(col, stored)?)),
        }
    }
}

/// `(key id, base64 body)` of a value in the sealed format.
fn parts(v: &str) -> Option<(&str, &str)> {
    let rest = v.strip_prefix(VERSION)?.strip_prefix(':')?;
    let (id, body) = rest.split_once(':')?;
    let id_ok = id.len() == KEY_ID_LEN && id.bytes().all(|b| b.is_ascii_hexdigit());
    let body_ok = body.len() >= (NONCE_LEN + TAG_LEN) * 4 / 3
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    (id_ok && body_ok).then_some((id, body))
}

/// Whether a stored value is in the sealed format (whatever its key).
pub fn is_sealed(v: &str) -> bool {
    parts(v).is_some()
}

/// The id of the key that sealed a stored value.
pub fn key_id(v: &str) -> Option<&str> {
    parts(v).map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::new(FieldKey::from_bytes(&[7u8; 32]).unwrap(), Vec::new())
    }

    #[test]
    fn a_value_opens_in_its_own_column_only() {
        let r = ring();
        let s = r.seal(RIDER_NAME, "张小明").unwrap();
        assert!(s.starts_with("sc1:") && is_sealed(&s), "{s}");
        assert!(!s.contains("张小明"));
        assert_eq!(r.open(RIDER_NAME, &s).unwrap(), "张小明");
        assert_eq!(
            r.open(RIDER_GUARDIAN, &s),
            Err(SealError::Corrupt {
                column: "bus_riders.guardian".into()
            })
        );
        assert!(matches!(
            r.open(INCIDENT_PERSONS, &s),
            Err(SealError::Corrupt { .. })
        ));
    }

    #[test]
    fn each_value_gets_a_fresh_nonce() {
        let r = ring();
        let a = r.seal(RIDER_PHONE, "13912345678").unwrap();
        let b = r.seal(RIDER_PHONE, "13912345678").unwrap();
        assert_ne!(a, b);
        assert_eq!(
            r.open(RIDER_PHONE, &a).unwrap(),
            r.open(RIDER_PHONE, &b).unwrap()
        );
        let empty = r.seal(RIDER_PHONE, "").unwrap();
        assert_eq!(r.open(RIDER_PHONE, &empty).unwrap(), "");
    }

    #[test]
    fn a_wrong_key_or_a_changed_byte_is_named_not_a_panic() {
        let r = ring();
        let s = r.seal(MFA_SECRET, "JBSWY3DPEHPK3PXP").unwrap();
        let other = Keyring::new(FieldKey::from_bytes(&[8u8; 32]).unwrap(), Vec::new());
        let e = other.open(MFA_SECRET, &s).unwrap_err();
        assert!(matches!(e, SealError::UnknownKey { .. }), "{e}");
        assert!(e.to_string().contains("user_mfa.secret"));
        // The same id but another key (a forged id) fails authentication.
        let forged = s.replacen(r.current_id().unwrap(), other.current_id().unwrap(), 1);
        assert!(matches!(
            other.open(MFA_SECRET, &forged),
            Err(SealError::Corrupt { .. })
        ));
        let mut bytes = s.clone().into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(matches!(
            r.open(MFA_SECRET, &tampered),
            Err(SealError::Corrupt { .. })
        ));
        assert!(matches!(
            r.open(MFA_SECRET, "JBSWY3DPEHPK3PXP"),
            Err(SealError::NotSealed { .. })
        ));
        assert_eq!(
            Keyring::unset().seal(MFA_SECRET, "x"),
            Err(SealError::NoKey)
        );
        assert_eq!(Keyring::unset().open(MFA_SECRET, &s), Err(SealError::NoKey));
    }

    #[test]
    fn an_old_key_opens_and_reseal_moves_values_to_the_current_key() {
        let old = ring();
        let s = old.seal(RIDER_STOP, "二道站").unwrap();
        let both = Keyring::new(
            FieldKey::from_bytes(&[9u8; 32]).unwrap(),
            vec![FieldKey::from_bytes(&[7u8; 32]).unwrap()],
        );
        assert_eq!(both.open(RIDER_STOP, &s).unwrap(), "二道站");
        let moved = both.reseal(RIDER_STOP, &s).unwrap().expect("resealed");
        assert_eq!(key_id(&moved), both.current_id());
        assert_eq!(both.reseal(RIDER_STOP, &moved).unwrap(), None, "kept");
        let plain = both.reseal(RIDER_STOP, "二道站").unwrap().expect("sealed");
        assert_eq!(both.open(RIDER_STOP, &plain).unwrap(), "二道站");
        // The new key alone opens what was moved, and not what was not.
        let new_only = Keyring::new(FieldKey::from_bytes(&[9u8; 32]).unwrap(), Vec::new());
        assert_eq!(new_only.open(RIDER_STOP, &moved).unwrap(), "二道站");
        assert!(new_only.open(RIDER_STOP, &s).is_err());
    }

    #[test]
    fn keys_are_read_from_base64_and_never_printed() {
        let (k, text) = FieldKey::generate();
        let again = FieldKey::from_base64(&format!("{text}\n")).unwrap();
        assert_eq!(k.id(), again.id());
        assert_eq!(k.id().len(), 8);
        assert!(FieldKey::from_base64("c2hvcnQ=").is_err());
        assert!(FieldKey::from_base64("not base64!").is_err());
        let r = Keyring::new(k, Vec::new());
        let shown = format!("{r:?}");
        assert!(!shown.contains(&text) && shown.contains(r.current_id().unwrap()));
    }
}
