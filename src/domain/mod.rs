//! Pure domain types and rules: no I/O, no database, no HTTP. Parsed once at the edge
//! (forms, JSON, imports) and trusted everywhere after.

pub mod aliases;
pub mod bus;
pub mod calendar;
pub mod catalog;
pub mod consent;
pub mod device;
pub mod drill;
pub mod duty;
pub mod emergency_plan;
pub mod governance;
pub mod hazard;
pub mod ids;
pub mod incident;
pub mod org;
pub mod password;
pub mod person;
pub mod pii_grant;
pub mod reading;
pub mod responsibility;
pub mod risk;
pub mod role;
pub mod security;
pub mod training;
pub mod warning;
pub mod work_plan;

/// A closed set of values that has a stable wire code (`as_str`) and a translation key.
pub trait Code: Sized + Copy + 'static {
    const ALL: &'static [Self];
    /// The translation-catalogue prefix, e.g. `school_kind`.
    const KEY: &'static str;
    fn as_str(self) -> &'static str;

    fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// The translation key of this value, e.g. `school_kind.primary`.
    fn label_key(self) -> String {
        format!("{}.{}", Self::KEY, self.as_str())
    }

    /// Parses a wire code or one of its import aliases (`assets/codes/import-aliases.tsv`):
    /// spreadsheets may say 小学 or "Primary school" for `primary`. The aliases are data of
    /// their own, not the screen labels, so editing a translation never changes what imports.
    fn parse_label(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::parse(s).or_else(|| {
            let code = aliases::code_for(Self::KEY, s)?;
            Self::parse(code)
        })
    }
}

/// A value with a catalogue label; lets templates pass values or references alike.
pub trait Labelled {
    fn key(&self) -> String;
}

/// Declares a `Code` enum with its wire codes.
#[macro_export]
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $key:literal, { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }
        impl $crate::domain::Code for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const KEY: &'static str = $key;
            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }
        }
        impl $crate::domain::Labelled for $name {
            fn key(&self) -> String {
                $crate::domain::Code::label_key(*self)
            }
        }
        impl $crate::domain::Labelled for &$name {
            fn key(&self) -> String {
                $crate::domain::Code::label_key(**self)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::domain::Code::as_str(*self))
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::domain::Code::as_str(*self))
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                <Self as $crate::domain::Code>::parse(&s).ok_or_else(|| {
                    let all: Vec<&str> = <Self as $crate::domain::Code>::ALL
                        .iter()
                        .map(|v| $crate::domain::Code::as_str(*v))
                        .collect();
                    serde::de::Error::custom(format!(
                        "unknown value '{s}', expected one of: {}",
                        all.join(", ")
                    ))
                })
            }
        }
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {
            // Named in the API document after its catalogue key, unique among the closed sets
            // (`hazard_status` → `HazardStatus`): enums of one name in two modules (a hazard's
            // and a warning's `Status`) would otherwise overwrite each other's schema.
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Owned($crate::domain::schema_name($key))
            }
        }
    };
}

/// The API document's name of a closed set: its catalogue key in upper camel case
/// (`hazard_status` → `HazardStatus`).
pub fn schema_name(key: &str) -> String {
    key.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
