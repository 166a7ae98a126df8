//! The demo's base map (issue 16, item 5): the tiles `./x` renders from the OpenStreetMap
//! extract (`tools/map`), served by a real `hues-server --tiles`: the Citadel, the city and a
//! street have drawn tiles, outside the extract there are none, and the file carries the
//! attribution the licence asks for.

use hues_system_tests::ServerProcess;

/// The XYZ tile holding a point at zoom `z`.
fn tile_of(lat: f64, lon: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x.floor() as u32, y.floor() as u32)
}

fn built_map() -> std::path::PathBuf {
    let path = std::env::var_os("HUES_TILES")
        .map(std::path::PathBuf::from)
        .expect("HUES_TILES: the base map's MBTiles file; ./x test builds it (tools/map)");
    assert!(path.exists(), "{} is missing", path.display());
    path
}

#[tokio::test]
async fn the_server_serves_the_base_map_built_from_openstreetmap() {
    let map = built_map();
    let meta = rusqlite::Connection::open(&map).expect("mbtiles");
    let attribution: String = meta
        .query_row(
            "SELECT value FROM metadata WHERE name = 'attribution'",
            [],
            |r| r.get(0),
        )
        .expect("attribution");
    assert_eq!(attribution, "© OpenStreetMap contributors");
    let count: i64 = meta
        .query_row("SELECT count(*) FROM tiles", [], |r| r.get(0))
        .expect("count");
    assert!(count > 1500, "{count} tiles");

    let dir = tempfile::tempdir().expect("dir");
    let arg = map.display().to_string();
    let server = ServerProcess::start_with(&dir.path().join("server"), 0, &["--tiles", &arg])
        .await
        .expect("server");
    let http = reqwest::Client::new();
    let get = |z: u8, (x, y): (u32, u32)| {
        let url = format!("{}/tiles/{z}/{x}/{y}.png", server.url());
        let http = http.clone();
        async move {
            let r = http.get(&url).send().await.expect("request");
            (r.status().as_u16(), r.bytes().await.expect("body").to_vec())
        }
    };
    for (what, z, lat, lon) in [
        ("the city", 11, 16.4637, 107.5909),
        ("the Citadel", 15, 16.4690, 107.5780),
        ("a street near Đông Ba", 16, 16.4637, 107.5909),
    ] {
        let (status, body) = get(z, tile_of(lat, lon, z)).await;
        assert_eq!(status, 200, "{what}");
        assert!(body.starts_with(b"\x89PNG\r\n\x1a\n"), "{what}: a PNG");
        // A drawn tile (streets, names, water), not a blank square: a blank 256 px palette
        // PNG is well under a kilobyte.
        assert!(body.len() > 8_000, "{what}: {} bytes", body.len());
    }
    // Outside the extract (Hà Nội) there is no tile.
    let (status, _) = get(15, tile_of(21.0285, 105.8542, 15)).await;
    assert_eq!(status, 404);
}
