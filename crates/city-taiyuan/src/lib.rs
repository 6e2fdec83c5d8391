//! Taiyuan (太原市), 尖草坪区: the district's 15-minute party-building service circle, transcribed from `sources/` (after the normalisation in `sources/*.normalise.toml`) into `data/dataset.toml`.

model::city_data! {
    dataset: "../data/dataset.toml",
    articles: [
        { file: "002_a234898d409b6129.txt", text: "../sources/002_a234898d409b6129.txt", normalisation: "../sources/002_a234898d409b6129.normalise.toml" },
    ],
}

#[cfg(test)]
mod tests;
