//! Korla (库尔勒市): two centers of the "梨城党建" column 【我身边的党群服务阵地】, transcribed from
//! `sources/` into `data/dataset.toml`. A city is data: the code is the `city_data!` declaration.

model::city_data! {
    dataset: "../data/dataset.toml",
    articles: [
        { file: "000_df422faf2af43df6.txt", text: "../sources/000_df422faf2af43df6.txt" },
        { file: "001_fa69be7eafc3107d.txt", text: "../sources/001_fa69be7eafc3107d.txt" },
    ],
}

#[cfg(test)]
mod tests;
