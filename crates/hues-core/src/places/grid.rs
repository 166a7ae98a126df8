//! What the grid walk reads, in memory: every place's cell, position, category and folded
//! text, in grid order. Built from `places` by the first search after sync changed them (one
//! read of the table: ~0.1 s for 100,000 places) and dropped when sync changes them again, so
//! that sync keeps no index for it (the covering index it replaces was a third of a first sync).

use std::collections::HashMap;

use rusqlite::Connection;

use crate::error::CoreError;

/// One place as the walk tests it.
pub struct Entry {
    pub cell: (i64, i64),
    pub rowid: i64,
    pub latitude: f64,
    pub longitude: f64,
    category: u32,
    pub folded_name: Box<str>,
    pub folded_address: Box<str>,
    /// [`text_bits`] of the names and of the address: most places fail a search on these
    /// alone, without reading their text.
    pub name_bits: u64,
    pub address_bits: u64,
}

/// One bit for a start of a word (its first letter, or its first two).
fn bit(start: &[u8]) -> u64 {
    // FNV-1a, folded to 0..64.
    let h = start.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    1 << (h % 64)
}

/// The bits of every word's first letter and first two letters in a folded text.
pub fn text_bits(folded: &str) -> u64 {
    folded.split(' ').filter(|w| !w.is_empty()).fold(0, |m, w| {
        let b = w.as_bytes();
        m | bit(&b[..1]) | bit(&b[..b.len().min(2)])
    })
}

/// The bits a text must hold for every typed word to start one of its words.
pub fn word_bits(words: &super::Words) -> u64 {
    words.0.iter().filter(|w| !w.is_empty()).fold(0, |m, w| {
        let b = w.as_bytes();
        m | bit(&b[..b.len().min(2)])
    })
}

/// Which categories a walk keeps: any, or these (as the grid numbers them).
pub enum Kinds {
    Any,
    Only(Vec<u32>),
}

impl Kinds {
    pub fn keeps(&self, e: &Entry) -> bool {
        match self {
            Kinds::Any => true,
            Kinds::Only(ids) => ids.contains(&e.category),
        }
    }
}

/// Every place, ordered by cell (row, then column) then rowid.
pub struct Grid {
    entries: Vec<Entry>,
    by_rowid: HashMap<i64, u32>,
    categories: Vec<String>,
}

impl Grid {
    pub fn build(conn: &Connection) -> Result<Grid, CoreError> {
        let mut categories: Vec<String> = Vec::new();
        let mut numbered: HashMap<String, u32> = HashMap::new();
        let mut entries = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT cell_y, cell_x, rowid, latitude, longitude, category, folded_name,
                    folded_address
             FROM places",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let category: String = r.get(5)?;
            let next = categories.len() as u32;
            let category = *numbered.entry(category).or_insert_with_key(|name| {
                categories.push(name.clone());
                next
            });
            let (folded_name, folded_address): (String, String) = (r.get(6)?, r.get(7)?);
            entries.push(Entry {
                cell: (r.get(0)?, r.get(1)?),
                rowid: r.get(2)?,
                latitude: r.get(3)?,
                longitude: r.get(4)?,
                category,
                name_bits: text_bits(&folded_name),
                address_bits: text_bits(&folded_address),
                folded_name: folded_name.into_boxed_str(),
                folded_address: folded_address.into_boxed_str(),
            });
        }
        entries.sort_unstable_by_key(|e| (e.cell, e.rowid));
        let by_rowid = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.rowid, i as u32))
            .collect();
        Ok(Grid {
            entries,
            by_rowid,
            categories,
        })
    }

    /// The places of cells `x0..=x1` of grid row `y`.
    pub fn run(&self, y: i64, x0: i64, x1: i64) -> &[Entry] {
        let from = self.entries.partition_point(|e| e.cell < (y, x0));
        let to = self.entries.partition_point(|e| e.cell <= (y, x1));
        &self.entries[from..to.max(from)]
    }

    pub fn all(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, rowid: i64) -> Option<&Entry> {
        self.by_rowid
            .get(&rowid)
            .map(|&i| &self.entries[i as usize])
    }

    /// The categories asked for, as this grid numbers them (an empty list keeps any).
    pub fn kinds(&self, names: &[String]) -> Kinds {
        if names.is_empty() {
            return Kinds::Any;
        }
        Kinds::Only(
            self.categories
                .iter()
                .enumerate()
                .filter(|(_, c)| names.contains(c))
                .map(|(i, _)| i as u32)
                .collect(),
        )
    }
}
