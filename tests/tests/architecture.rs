//! The dependency rules of ARCHITECTURE.md: each crate's normal (non-dev) dependency closure,
//! as cargo's feature resolver computes it for the targets the crate is built for, must not reach
//! what it must not use. (`cargo metadata`'s own resolve graph unifies optional dependencies
//! across the whole workspace and all platforms, which would blame the UI for the server's axum;
//! `cargo tree -e normal --target T` asks the same resolver per crate and per platform.)

use std::collections::BTreeSet;
use std::process::Command;

const HOST: &str = "host";
const WASM: &str = "wasm32-unknown-unknown";

/// (crate, the targets it is built for, crates it must never reach)
const RULES: &[(&str, &[&str], &[&str])] = &[
    (
        "hues-wire",
        &[HOST, WASM],
        &[
            "tokio",
            "reqwest",
            "rusqlite",
            "axum",
            "hyper",
            "mio",
            "tauri",
            "dioxus",
            "hues-core",
            "hues-server",
        ],
    ),
    (
        "hues-core",
        &[HOST],
        &["tauri", "dioxus", "axum", "hues-server", "hues-ui"],
    ),
    (
        "hues-app",
        &[HOST],
        &["dioxus", "axum", "hues-server", "hues-ui"],
    ),
    (
        "hues-ui",
        &[HOST, WASM],
        &[
            "hues-core",
            "hues-server",
            "hues-app",
            "tauri",
            "rusqlite",
            "reqwest",
            "axum",
            "tokio",
        ],
    ),
    (
        "hues-insight",
        &[HOST],
        &[
            "tokio",
            "reqwest",
            "rusqlite",
            "axum",
            "hyper",
            "tauri",
            "dioxus",
            "hues-core",
            "hues-server",
        ],
    ),
    (
        "hues-server",
        &[HOST],
        &[
            "hues-core",
            "hues-app",
            "hues-ui",
            "tauri",
            "dioxus",
            "reqwest",
        ],
    ),
];

fn closure(krate: &str, target: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    // The checkout under test, read at run time (the target dir may be shared with other clones).
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    cmd.current_dir(format!("{dir}/.."))
        .args([
            "tree",
            "--offline",
            "-p",
            krate,
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["--format", "{p}"]);
    if target != HOST {
        cmd.args(["--target", target]);
    }
    let out = cmd.output().expect("cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {krate}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != krate)
        .map(str::to_owned)
        .collect()
}

#[test]
fn crates_respect_the_dependency_direction() {
    let mut broken = Vec::new();
    for (krate, targets, forbidden) in RULES {
        for target in *targets {
            let deps = closure(krate, target);
            assert!(!deps.is_empty(), "{krate} on {target}: empty tree");
            for f in *forbidden {
                if deps.contains(*f) {
                    broken.push(format!("{krate} ({target}) reaches {f}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "dependency rules broken: {broken:?}");
}

#[test]
fn the_rules_are_not_vacuous() {
    // Each crate does use what it is for, so a renamed crate cannot make the rules pass silently.
    assert!(closure("hues-core", HOST).contains("rusqlite"));
    assert!(closure("hues-app", HOST).contains("tauri"));
    assert!(closure("hues-ui", WASM).contains("dioxus"));
    assert!(closure("hues-ui", WASM).contains("hues-wire"));
    assert!(closure("hues-server", HOST).contains("axum"));
    assert!(closure("hues-server", HOST).contains("hues-wire"));
    assert!(closure("hues-server", HOST).contains("hues-insight"));
    assert!(closure("hues-insight", HOST).contains("rand"));
}
