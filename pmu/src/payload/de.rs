//! Lenient deserialisation helpers shared by the payload types: values that arrive as `null`,
//! as a number or a string depending on the day, and bodies that are either a bare JSON array or
//! an object wrapping it.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de::DeserializeOwned};
use std::fmt;
use std::marker::PhantomData;

/// `null` or absent becomes `T::default()`. `#[serde(default)]` alone only covers absent keys,
/// and the API writes `null` in some places where it usually writes a list.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Any JSON scalar, kept as received so that callers can be lenient about its type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Scalar {
    fn from_u64(v: u64) -> Self {
        // Beyond i64 only a float can hold it; such values never identify anything here.
        i64::try_from(v).map_or(Self::Float(v as f64), Self::Int)
    }

    /// Text form: numbers are printed, `null` gives `None`.
    pub(crate) fn into_text(self) -> Option<String> {
        match self {
            Self::Null => None,
            Self::Bool(b) => Some(b.to_string()),
            Self::Int(i) => Some(i.to_string()),
            Self::Float(f) => Some(f.to_string()),
            Self::Str(s) => Some(s),
        }
    }

    /// A non-negative whole number, from a number or a string of digits; `None` otherwise.
    pub(crate) fn to_u32(&self) -> Option<u32> {
        match self {
            Self::Int(i) => u32::try_from(*i).ok(),
            Self::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX) => {
                // Checked above to be whole and in range, so the cast is exact.
                Some(*f as u32)
            }
            Self::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A number, from a number or a string (decimal comma accepted); `None` otherwise.
    pub(crate) fn to_f64(&self) -> Option<f64> {
        match self {
            // Amounts fit well within f64's exact integer range.
            Self::Int(i) => Some(*i as f64),
            Self::Float(f) => Some(*f),
            Self::Str(s) => s.trim().replace(',', ".").parse().ok(),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number, a boolean or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                Scalar::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::from_u64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }
        }

        d.deserialize_any(ScalarVisitor)
    }
}

/// A scalar read as text: `"4,6"` and `4.6` both give `Some`, `null` gives `None`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Scalar::deserialize(d)?.into_text())
}

/// A count that arrives as `18` or `"18"`; unparsable text gives `None` rather than an error.
pub(crate) fn opt_u32_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(Scalar::deserialize(d)?.to_u32())
}

/// An amount that arrives as a number or a string; unparsable text gives `None`.
pub(crate) fn opt_f64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(Scalar::deserialize(d)?.to_f64())
}

/// A body that is either a bare JSON array of `T` or an object `O` (which wraps the array).
pub(crate) enum SeqOrMap<T, O> {
    Seq(Vec<T>),
    Map(O),
}

impl<'de, T: DeserializeOwned, O: DeserializeOwned> Deserialize<'de> for SeqOrMap<T, O> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SeqOrMapVisitor<T, O>(PhantomData<(T, O)>);

        impl<'de, T: DeserializeOwned, O: DeserializeOwned> Visitor<'de> for SeqOrMapVisitor<T, O> {
            type Value = SeqOrMap<T, O>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON array or an object")
            }
            // Going through the access types (not a buffered `Value`) keeps the JSON path of an
            // error exact when the deserializer tracks it.
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<T>::deserialize(SeqAccessDeserializer::new(seq)).map(SeqOrMap::Seq)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                O::deserialize(MapAccessDeserializer::new(map)).map(SeqOrMap::Map)
            }
        }

        d.deserialize_any(SeqOrMapVisitor(PhantomData))
    }
}

/// A value that is either a JSON array of `T` or a scalar (a message such as
/// "Pas de correspondance", or a `"7-3"`-style string).
pub(crate) enum SeqOrScalar<T> {
    Seq(Vec<T>),
    Scalar(Scalar),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for SeqOrScalar<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SeqOrScalarVisitor<T>(PhantomData<T>);

        impl<'de, T: DeserializeOwned> Visitor<'de> for SeqOrScalarVisitor<T> {
            type Value = SeqOrScalar<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON array, a string, a number or null")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<T>::deserialize(SeqAccessDeserializer::new(seq)).map(SeqOrScalar::Seq)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(SeqOrScalar::Scalar(Scalar::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(SeqOrScalar::Scalar(Scalar::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                SeqOrScalar::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(SeqOrScalar::Scalar(Scalar::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(SeqOrScalar::Scalar(Scalar::Int(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(SeqOrScalar::Scalar(Scalar::from_u64(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(SeqOrScalar::Scalar(Scalar::Float(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(SeqOrScalar::Scalar(Scalar::Str(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(SeqOrScalar::Scalar(Scalar::Str(v)))
            }
        }

        d.deserialize_any(SeqOrScalarVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_convert_leniently() {
        assert_eq!(Scalar::Str(" 18 ".into()).to_u32(), Some(18));
        assert_eq!(Scalar::Float(16.0).to_u32(), Some(16));
        assert_eq!(Scalar::Float(16.5).to_u32(), None);
        assert_eq!(Scalar::Int(-1).to_u32(), None);
        assert_eq!(Scalar::Str("4,6".into()).to_f64(), Some(4.6));
        assert_eq!(Scalar::Str("Non connue".into()).to_f64(), None);
        assert_eq!(Scalar::Null.into_text(), None);
        assert_eq!(Scalar::Float(4.5).into_text().as_deref(), Some("4.5"));
    }
}
