use super::*;
use std::path::PathBuf;

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dangqun-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("district.sqlite")
}

async fn counts(d: &District) -> (i64, i64, i64) {
    (
        d.centers_count(&CenterFilter::default())
            .await
            .expect("count"),
        d.rooms_count(&RoomFilter::default()).await.expect("count"),
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
        let all = d
            .rooms_page(&filter, RoomOrder::Capacity, descending, None, 100)
            .await
            .expect("page");
        assert!(all.len() > 5, "{}", all.len());
        assert_eq!(
            all.len() as i64,
            d.rooms_count(&filter).await.expect("count")
        );
        // Walking two at a time gives the same rows in the same order.
        let mut walked = Vec::new();
        let mut after: Option<After> = None;
        loop {
            let page = d
                .rooms_page(&filter, RoomOrder::Capacity, descending, after.as_ref(), 2)
                .await
                .expect("page");
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
