//! Redis's number rules, byte for byte: which texts are integers and floats
//! (`string2ll`, `string2d`, `string2ld`, the `strtod` of score ranges) and how numbers print
//! (`d2string` for doubles, `ld2string` for INCRBYFLOAT's long doubles).
//!
//! This sits below the commands so that conversions (`ToArg`, `FromReply`) and the script
//! bridge use the same rules as the command handlers. Everything here answers `Option`: the
//! callers pick Redis's error text, which differs by command.

mod double;
mod int;
mod long_double;
mod strtod;

pub(crate) use double::{format_double, parse_double, parse_range_bound, parse_sort_score};
pub(crate) use int::{format_i64, parse_i64};
pub(crate) use long_double::LongDouble;
