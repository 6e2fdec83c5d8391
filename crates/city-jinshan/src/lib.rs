//! Jinshan (上海市金山区), 朱泾镇: 朱泾镇社区党群服务中心, transcribed from `sources/` into `data/dataset.toml`. The unrelated news after the article's byline is not imported.

model::city_data! {
    dataset: "../data/dataset.toml",
    articles: [
        { file: "004_241117507cc8f916.txt", text: "../sources/004_241117507cc8f916.txt" },
    ],
}

#[cfg(test)]
mod tests;
