//! Money: an exact amount in yuan, kept in fen.

use super::*;

/// An amount of money in yuan, exact to the fen (two decimals), kept as an integer number of
/// fen. Deserialises from a JSON number (`1200.5`) or a decimal string (`"1200.50"`), signed,
/// with at most two decimals and at most [`Amount::MAX_YUAN`] in size; serialises as a decimal
/// string with two decimals. Whether it may be negative is a rule of its use ([`apply`] asks
/// for ≥ 0), not of the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Amount(i64);

impl Amount {
    /// The largest magnitude accepted, in yuan (一千亿).
    pub const MAX_YUAN: i64 = 100_000_000_000;

    pub const fn from_fen(fen: i64) -> Self {
        Amount(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// A finite number with at most two decimals within ±[`Amount::MAX_YUAN`].
    pub fn from_f64(x: f64) -> Option<Self> {
        let fen = x * 100.0;
        (x.is_finite() && x.abs() <= Self::MAX_YUAN as f64 && (fen - fen.round()).abs() < 1e-6)
            .then(|| Amount(fen.round() as i64))
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Amount {
    type Err = String;

    /// `12`, `12.5`, `12.50`, `-3`, `+3`, with surrounding blanks; no exponents, no grouping.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not an amount in yuan with at most two decimals");
        let t = s.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
            return Err(bad());
        }
        if t.contains('.') && frac.is_empty() {
            return Err(bad());
        }
        let whole: i64 = whole
            .parse()
            .ok()
            .filter(|w| *w <= Self::MAX_YUAN)
            .ok_or_else(bad)?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let fen = whole * 100 + frac;
        Ok(Amount(if neg { -fen } else { fen }))
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount in yuan with at most two decimals, as a number or string")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Amount, E> {
                (v.abs() <= Amount::MAX_YUAN)
                    .then(|| Amount(v * 100))
                    .ok_or_else(|| E::custom(format!("amount {v} is too large")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Amount, E> {
                i64::try_from(v)
                    .map_err(|_| E::custom(format!("amount {v} is too large")))
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Amount, E> {
                Amount::from_f64(v).ok_or_else(|| {
                    E::custom(format!(
                        "amount {v} must be a number in yuan with at most two decimals"
                    ))
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Amount, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl utoipa::PartialSchema for Amount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{SchemaType, Type};
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(SchemaType::Array(vec![Type::String, Type::Number]))
            .description(Some(
                "Yuan with at most two decimals, as a decimal string (\"1200.50\") or a number",
            ))
            .examples(["1200.50"])
            .into()
    }
}
impl utoipa::ToSchema for Amount {}
