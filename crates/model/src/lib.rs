//! dangqun's domain: the records a city dataset is made of, the vocabularies they share, and the
//! rules a dataset must obey before it may be imported.
//!
//! `model` knows nothing about SQL, GraphQL or HTTP, and does no I/O: a city crate hands it the
//! text of its data file and its articles (embedded with `include_str!`), and gets typed,
//! validated records back.

pub mod cite;
mod coverage;
mod dataset;
mod hours;
mod normalise;
mod quantity;
pub mod synth;
mod taxonomy;
mod validate;

pub use coverage::{ArticleCoverage, Sentence};
pub use dataset::{
    Article, Audience, Capacity, Center, Circle, CityDataset, CityInfo, Claim, Contact,
    Contributor, ContributorRole, DatasetError, Event, Indicator, NamedCount, Organisation,
    OrganisationRole, Period, Room, Source, Staff, Term, TermKind, TravelMode,
};
pub use hours::{OpeningHours, Season, TimeOfDay, Weekday};
pub use normalise::{Normalisation, NormalisationError};
pub use quantity::{Citation, Qualifier, Quantity};
pub use taxonomy::{EquipmentTag, RoomCategory};
pub use validate::{ValidationError, check_quotes};

/// Declares a city crate's data: its dataset file and the articles it was transcribed from, all
/// embedded in the binary so that a district can be imported with no file system or network.
///
/// ```text
/// model::city_data! {
///     dataset: "../data/dataset.toml",
///     articles: [
///         { file: "000_x.txt", text: "../sources/000_x.txt" },
///         { file: "002_y.txt", text: "../sources/002_y.txt", normalisation: "../sources/002_y.normalise.toml" },
///     ],
/// }
/// ```
#[macro_export]
macro_rules! city_data {
    (
        dataset: $dataset:literal,
        articles: [ $( { file: $file:literal, text: $text:literal $(, normalisation: $norm:literal)? $(,)? } ),* $(,)? ] $(,)?
    ) => {
        /// The dataset file, as committed.
        pub const DATASET_TOML: &str = include_str!($dataset);

        /// The source articles, as published, with their normalisation rules where they need one.
        pub const ARTICLES: &[$crate::Article] = &[
            $( $crate::Article {
                file: $file,
                text: include_str!($text),
                normalisation: $crate::city_data!(@norm $($norm)?),
            } ),*
        ];

        /// Parses and validates the dataset, checking every quote against its article.
        pub fn dataset() -> ::core::result::Result<$crate::CityDataset, $crate::DatasetError> {
            $crate::CityDataset::load(DATASET_TOML, ARTICLES)
        }
    };
    (@norm $norm:literal) => { Some(include_str!($norm)) };
    (@norm) => { None };
}
