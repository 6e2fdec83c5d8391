use super::*;
use std::path::PathBuf;

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dangqun-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("district.sqlite")
}

/// How many rooms of `d`'s city match `filter`.
async fn room_count(d: &District, filter: &RoomFilter) -> i64 {
    let counts = d
        .rooms_counts(&[d.city().to_owned()], filter)
        .await
        .expect("count");
    counts.first().map_or(0, |(_, n)| *n)
}

/// Up to `limit` rooms of `d`'s city matching `filter` by capacity, after `after`.
async fn room_page(
    d: &District,
    filter: &RoomFilter,
    descending: bool,
    after: Option<After>,
    limit: i64,
) -> Vec<(SortValue, RoomRow)> {
    d.rooms_pages(
        &[(d.city().to_owned(), after)],
        filter,
        RoomOrder::Capacity,
        descending,
        limit,
    )
    .await
    .expect("page")
}

async fn counts(d: &District) -> (i64, i64, i64) {
    let centers = d
        .centers_counts(&[d.city().to_owned()], &CenterFilter::default())
        .await
        .expect("count");
    (
        centers.first().map_or(0, |(_, n)| *n),
        room_count(d, &RoomFilter::default()).await,
        d.fetch::<CitationRow>("city_id", &[d.city().to_owned()])
            .await
            .expect("fetch")
            .len() as i64,
    )
}

#[tokio::test]
async fn import_is_idempotent_and_batch_reads_group_by_key() {
    let dataset = city_korla::dataset().expect("korla dataset");
    let district = District::open(
        "korla",
        &Location::Sqlite(temp_db("idempotent")),
        DistrictOptions::default(),
    )
    .await
    .expect("open");
    assert_eq!(district.stored_version().await.expect("version"), None);

    let first = district.import(&dataset, false).await.expect("import");
    let ImportOutcome::Imported { content_hash, .. } = first else {
        panic!("{first:?}")
    };
    let again = district.import(&dataset, false).await.expect("re-import");
    assert_eq!(
        again,
        ImportOutcome::UpToDate {
            content_hash: content_hash.clone()
        }
    );
    let forced = district
        .import(&dataset, true)
        .await
        .expect("forced re-import");
    assert!(matches!(forced, ImportOutcome::Imported { .. }));

    // A corrected figure is a new version: imported without `force`, and visible at once.
    let mut corrected = dataset.clone();
    corrected.rooms[0].capacity = Some(model::Capacity {
        min: Some(1),
        max: Some(99),
        qualifier: model::Qualifier::Exact,
    });
    let newer = district
        .import(&corrected, false)
        .await
        .expect("newer version");
    assert!(
        matches!(&newer, ImportOutcome::Imported { content_hash: h, .. } if *h != content_hash),
        "{newer:?}"
    );
    let room = district
        .fetch::<RoomRow>("id", std::slice::from_ref(&corrected.rooms[0].id))
        .await
        .expect("room");
    assert_eq!(room[0].1.capacity_max, Some(99));
    district
        .import(&dataset, false)
        .await
        .expect("back to the original");

    let (centers, rooms, citations) = counts(&district).await;
    assert_eq!(centers as usize, dataset.centers.len());
    assert_eq!(rooms as usize, dataset.rooms.len());
    assert_eq!(citations as usize, dataset.citation_count());

    // One statement answers for every parent in the batch.
    let center_ids: Vec<String> = dataset.centers.iter().map(|c| c.id.clone()).collect();
    let before = district.statement_count();
    let rooms_by_center = district
        .fetch::<RoomRow>("center_id", &center_ids)
        .await
        .expect("rooms");
    assert_eq!(district.statement_count() - before, 1);
    assert_eq!(rooms_by_center.len(), dataset.rooms.len());
    assert!(
        rooms_by_center
            .iter()
            .all(|(key, room)| *key == room.center_id)
    );
}

#[tokio::test]
async fn an_invalid_dataset_changes_nothing() {
    let good = city_korla::dataset().expect("korla dataset");
    let district = District::open(
        "korla",
        &Location::Sqlite(temp_db("invalid")),
        DistrictOptions::default(),
    )
    .await
    .expect("open");
    district.import(&good, false).await.expect("import");
    let before = counts(&district).await;
    let version = district.stored_version().await.expect("version");

    let mut bad = good.clone();
    let room = bad.rooms.first_mut().expect("a room");
    room.capacity = Some(model::Capacity {
        min: Some(9),
        max: Some(3),
        qualifier: model::Qualifier::Exact,
    });
    let bad_id = room.id.clone();
    let err = district.import(&bad, false).await.expect_err("must refuse");
    let message = err.to_string();
    assert!(
        message.contains(&bad_id) && message.contains("min 9 is greater than max 3"),
        "{message}"
    );

    let mut other = good.clone();
    other.city.id = "taiyuan".into();
    assert!(matches!(
        district.import(&other, false).await,
        Err(StoreError::WrongCity { .. })
    ));

    assert_eq!(counts(&district).await, before);
    assert_eq!(district.stored_version().await.expect("version"), version);
}

async fn korla(name: &str) -> District {
    let dataset = city_korla::dataset().expect("korla dataset");
    let district = District::open(
        "korla",
        &Location::Sqlite(temp_db(name)),
        DistrictOptions::default(),
    )
    .await
    .expect("open");
    district.import(&dataset, false).await.expect("import");
    district
}

#[tokio::test]
async fn filtered_pages_follow_the_keyset_in_both_directions() {
    let d = korla("keyset").await;
    let filter = RoomFilter {
        min_capacity: Some(20),
        ..RoomFilter::default()
    };
    for descending in [false, true] {
        let all = room_page(&d, &filter, descending, None, 100).await;
        assert!(all.len() > 5, "{}", all.len());
        assert_eq!(all.len() as i64, room_count(&d, &filter).await);
        // Walking two at a time gives the same rows in the same order.
        let mut walked = Vec::new();
        let mut after: Option<After> = None;
        loop {
            let page = room_page(&d, &filter, descending, after.clone(), 2).await;
            let Some((value, last)) = page.last().cloned() else {
                break;
            };
            walked.extend(page.into_iter().map(|(_, r)| r.id));
            after = Some(After { value, id: last.id });
        }
        let ids: Vec<String> = all.iter().map(|(_, r)| r.id.clone()).collect();
        assert_eq!(walked, ids);
        let keys: Vec<&SortValue> = all.iter().map(|(k, _)| k).collect();
        let mut sorted = keys.clone();
        sorted.sort_by(|a, b| {
            if descending {
                b.cmp_key(a)
            } else {
                a.cmp_key(b)
            }
        });
        assert_eq!(keys, sorted);
    }
}

#[tokio::test]
async fn figures_and_search_come_from_sql() {
    let d = korla("figures").await;
    let f = d.city_figures().await.expect("figures");
    assert_eq!((f.centers, f.rooms), (2, 23));
    assert_eq!(f.floor_area.total, Some(1900.0));
    assert_eq!(f.floor_area.qualifiers.exact, 2);
    assert_eq!(f.capacity.rooms_without_capacity, 1);
    assert_eq!(f.per_capita.floor_area_per_1000, None);

    let hits = d.search("法律", 10).await.expect("search");
    assert!(
        hits.iter()
            .any(|h| h.owner_id == "korla/kongque/legal-consultation"),
        "{hits:?}"
    );
    let hits = d.search("reading room", 10).await.expect("search");
    assert!(
        hits.iter()
            .any(|h| h.owner_id == "korla/shanghu/reading-room"),
        "{hits:?}"
    );
}

/// Cities that share a database are paged and counted in one statement each: every city's part
/// is exactly its own page, cursor included.
#[tokio::test]
async fn one_statement_pages_and_counts_several_cities_of_one_database() {
    let path = temp_db("shared");
    let open = |city: &str, dataset: model::CityDataset| {
        let path = path.clone();
        let city = city.to_owned();
        async move {
            let d = District::open(&city, &Location::Sqlite(path), DistrictOptions::default())
                .await
                .expect("open");
            d.import(&dataset, false).await.expect("import");
            d
        }
    };
    let korla = open("korla", city_korla::dataset().expect("korla")).await;
    let jinshan = open("jinshan", city_jinshan::dataset().expect("jinshan")).await;
    assert!(korla.shares_database_with(&jinshan));
    let filter = RoomFilter::default();
    for descending in [false, true] {
        let k = room_page(&korla, &filter, descending, None, 5).await;
        let (value, last) = k[2].clone();
        let after = After { value, id: last.id };
        let k_after = room_page(&korla, &filter, descending, Some(after.clone()), 5).await;
        let j = room_page(&jinshan, &filter, descending, None, 5).await;
        let before = korla.statement_count();
        let both = korla
            .rooms_pages(
                &[
                    ("korla".to_owned(), Some(after)),
                    ("jinshan".to_owned(), None),
                ],
                &filter,
                RoomOrder::Capacity,
                descending,
                5,
            )
            .await
            .expect("pages");
        assert_eq!(korla.statement_count() - before, 1);
        let of = |city: &str| -> Vec<(SortValue, String)> {
            both.iter()
                .filter(|(_, r)| r.city_id == city)
                .map(|(k, r)| (k.clone(), r.id.clone()))
                .collect()
        };
        let ids = |rows: &[(SortValue, RoomRow)]| -> Vec<(SortValue, String)> {
            rows.iter()
                .map(|(k, r)| (k.clone(), r.id.clone()))
                .collect()
        };
        let mut k_expected = ids(&k_after);
        let mut k_got = of("korla");
        k_expected.sort_by(|a, b| a.1.cmp(&b.1));
        k_got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(k_got, k_expected, "descending {descending}");
        let mut j_expected = ids(&j);
        let mut j_got = of("jinshan");
        j_expected.sort_by(|a, b| a.1.cmp(&b.1));
        j_got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(j_got, j_expected, "descending {descending}");
    }
    let counts = korla
        .rooms_counts(&["korla".to_owned(), "jinshan".to_owned()], &filter)
        .await
        .expect("counts");
    let mut counts = counts;
    counts.sort();
    assert_eq!(
        counts,
        [("jinshan".to_owned(), 10), ("korla".to_owned(), 23)]
    );
}

/// Each row type reads, and orders by, columns its table declares (`schema`).
#[test]
fn read_rows_name_declared_columns() {
    fn check<R: Table>(tables: &[(String, Vec<(String, String)>)]) {
        let (_, columns) = tables
            .iter()
            .find(|(name, _)| name == R::TABLE)
            .unwrap_or_else(|| panic!("{} is not declared", R::TABLE));
        for column in R::COLUMNS.split(',').chain(R::ORDER.split(',')) {
            let column = column.trim();
            assert!(
                columns.iter().any(|(c, _)| c == column),
                "{}.{column} is not declared",
                R::TABLE
            );
        }
    }
    let tables = declared_tables();
    check::<CityRow>(&tables);
    check::<SourceRow>(&tables);
    check::<CircleRow>(&tables);
    check::<CircleCountRow>(&tables);
    check::<CircleNameRow>(&tables);
    check::<CenterRow>(&tables);
    check::<OpeningHoursRow>(&tables);
    check::<ContributorRow>(&tables);
    check::<TermRow>(&tables);
    check::<StaffRow>(&tables);
    check::<ExhibitRow>(&tables);
    check::<RoomHoursRow>(&tables);
    check::<OrganisationRow>(&tables);
    check::<AudienceRow>(&tables);
    check::<ContactRow>(&tables);
    check::<ServiceItemRow>(&tables);
    check::<RoomRow>(&tables);
    check::<EquipmentRow>(&tables);
    check::<UseRow>(&tables);
    check::<EventRow>(&tables);
    check::<IndicatorRow>(&tables);
    check::<CitationRow>(&tables);
}

#[test]
fn the_free_terms_are_the_models() {
    let free: Vec<String> = model::TermKind::ALL
        .iter()
        .filter(|k| k.is_free())
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    assert_eq!(crate::listing::FREE_TERMS, format!("({})", free.join(", ")));
}
