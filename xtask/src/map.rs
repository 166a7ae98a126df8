//! The demo's base map: `tools/map/build_tiles.py` renders the OpenStreetMap extract
//! `tools/map/hue.osm.pbf` into an MBTiles file under the cache, once per version of the two
//! (a content hash names the file), so `./x run` and the tests have the real map of Huế.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::build::root;
use crate::sh;
use crate::tools::cache_dir;

/// The MBTiles file of the demo's map, built if missing.
pub fn ensure() -> Result<PathBuf> {
    let dir = root().join("tools/map");
    let script = dir.join("build_tiles.py");
    let extract = dir.join("hue.osm.pbf");
    // FNV-1a over both files: stable across Rust versions (std's hasher is not promised to be).
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for path in [&script, &extract] {
        std::fs::read(path)
            .with_context(|| format!("reading {}", path.display()))?
            .hash(&mut h);
    }
    let out_dir = cache_dir().join("map");
    let file = out_dir.join(format!("hue-{:016x}.mbtiles", h.finish()));
    if file.exists() {
        return Ok(file);
    }
    eprintln!("building the base map of Huế from OpenStreetMap data (about 20 s)…");
    let work = tempdir_in(&out_dir)?;
    let partial = work.join("hue.mbtiles");
    // Debian's interpreter: python3-mapnik is installed for it, not for another python3 on PATH.
    sh::run(
        Command::new("/usr/bin/python3")
            .arg(&script)
            .arg(&extract)
            .arg(work.join("tiles"))
            .arg("--mbtiles")
            .arg(&partial)
            .arg("--no-dir"),
    )?;
    std::fs::rename(&partial, &file)?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(file)
}

fn tempdir_in(parent: &std::path::Path) -> Result<PathBuf> {
    std::fs::create_dir_all(parent)?;
    let dir = parent.join(format!("build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}
