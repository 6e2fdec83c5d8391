use super::*;

#[test]
fn dataset_loads_validates_and_every_quote_is_verbatim() {
    let d = dataset().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.city.id, "taiyuan");
}
