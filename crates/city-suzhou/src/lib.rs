//! Suzhou (苏州市), 苏州工业园区湖东: 兆佳巷区域党群服务中心, transcribed from `sources/` into `data/dataset.toml`.

model::city_data! {
    dataset: "../data/dataset.toml",
    articles: [
        { file: "003_337397fadb35522c.txt", text: "../sources/003_337397fadb35522c.txt" },
    ],
}

#[cfg(test)]
mod tests;
