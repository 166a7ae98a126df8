//! Zalo and Facebook Messenger as channels (issue 14): each platform's webhook (`zalo`,
//! `messenger`) checks the platform's signature over the raw body, refuses stale deliveries and
//! takes each message once (its platform id is unique here), whatever the order they come in.
//! Messages — text, photo, shared location — gather in a conversation that an agent turns into
//! a case or attaches to one (`console::conversations`). The citizen's platform id stays in
//! `channel_identities`, read only to address replies; staff see a pseudonym.
//!
//! What goes back — the agent's reply, and every later public reply on the linked case — goes
//! through `channel_outbox`: within the platform's reply window it is sent by the platform's
//! send API (base URL configurable, so tests point it at a local server); outside it, it is
//! kept as `outside_window` and the console says so.

pub mod messenger;
pub mod zalo;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::AppState;
use crate::error::Fail;

/// The platforms' settings; a platform without them has no webhook (404).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub zalo: Option<ZaloSettings>,
    pub messenger: Option<MessengerSettings>,
}

#[derive(Debug, Clone)]
pub struct ZaloSettings {
    pub app_id: String,
    /// The Official Account's secret key (not the app's): the webhook's MAC is keyed by it.
    pub oa_secret: String,
    pub access_token: String,
    /// `https://openapi.zalo.me` in production.
    pub api_base: String,
}

#[derive(Debug, Clone)]
pub struct MessengerSettings {
    pub app_secret: String,
    pub verify_token: String,
    pub page_token: String,
    /// `https://graph.facebook.com` in production.
    pub api_base: String,
}

pub const ZALO: &str = "zalo";
pub const MESSENGER: &str = "messenger";

/// How long after the citizen's last message the platform lets the city answer: Zalo's
/// consultation messages 7 days, Messenger's standard messaging 24 hours.
pub fn reply_window(channel: &str) -> Duration {
    if channel == ZALO {
        Duration::days(7)
    } else {
        Duration::hours(24)
    }
}

/// A delivery older than this (or this much in the future) is refused as a replay: the
/// platforms retry for hours at most, and each message id is taken once within it.
pub const MAX_AGE: Duration = Duration::hours(24);
const MAX_AHEAD: Duration = Duration::minutes(5);

pub fn fresh(sent: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    sent > now - MAX_AGE && sent < now + MAX_AHEAD
}

/// Compares two byte strings in time independent of where they differ (empty never matches).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    !a.is_empty()
        && a.len() == b.len()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a message holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Text(String),
    Photo(String),
    Location(f64, f64),
}

/// One message as a webhook delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub channel: &'static str,
    pub user: String,
    pub platform_id: String,
    pub sent_at: DateTime<Utc>,
    pub kind: Kind,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks/zalo", post(zalo::webhook))
        .route(
            "/webhooks/messenger",
            get(messenger::verify).post(messenger::webhook),
        )
}

/// Keeps the messages (each once); returns how many were new.
pub fn record(conn: &Connection, messages: &[Inbound]) -> Result<usize, Fail> {
    let now = crate::db::ts(Utc::now());
    let mut new = 0;
    for m in messages {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO channel_identities (id, channel, platform_user) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![Uuid::now_v7().to_string(), m.channel, m.user])?;
        let identity: String = conn
            .prepare_cached(
                "SELECT id FROM channel_identities WHERE channel = ?1 AND platform_user = ?2",
            )?
            .query_row(params![m.channel, m.user], |r| r.get(0))?;
        // The citizen's conversation: the latest one, unless its case is finished.
        let open: Option<String> = conn
            .prepare_cached(
                "SELECT c.id FROM conversations c LEFT JOIN reports r ON r.id = c.report_id
                 WHERE c.identity_id = ?1
                   AND (r.id IS NULL OR r.status NOT IN ('resolved', 'rejected', 'duplicate'))
                 ORDER BY c.started_at DESC LIMIT 1",
            )?
            .query_row([&identity], |r| r.get(0))
            .optional()?;
        let sent = crate::db::ts(m.sent_at);
        let conversation = match open {
            Some(c) => c,
            None => {
                let id = Uuid::now_v7().to_string();
                conn.prepare_cached(
                    "INSERT INTO conversations (id, identity_id, channel, started_at, last_inbound)
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                )?
                .execute(params![id, identity, m.channel, sent])?;
                id
            }
        };
        let (kind, text, url, lat, lon) = match &m.kind {
            Kind::Text(t) => ("text", Some(t.as_str()), None, None, None),
            Kind::Photo(u) => ("photo", None, Some(u.as_str()), None, None),
            Kind::Location(la, lo) => ("location", None, None, Some(*la), Some(*lo)),
        };
        let added = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO channel_messages (conversation_id, channel, platform_id,
                     direction, kind, text, url, latitude, longitude, sent_at, received_at)
                 VALUES (?1, ?2, ?3, 'in', ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                conversation,
                m.channel,
                m.platform_id,
                kind,
                text,
                url,
                lat,
                lon,
                sent,
                now
            ])?;
        if added > 0 {
            new += 1;
            conn.prepare_cached(
                "UPDATE conversations SET last_inbound = max(last_inbound, ?2) WHERE id = ?1",
            )?
            .execute(params![conversation, sent])?;
        }
    }
    Ok(new)
}

/// Links a conversation to a case; later public replies on the case go back on the channel
/// (the case's history before the link is not resent). `false`: no such conversation.
pub fn link(conn: &Connection, conversation: &str, report: &str) -> Result<bool, Fail> {
    let last: i64 = conn
        .prepare_cached("SELECT coalesce(max(id), 0) FROM report_events WHERE report_id = ?1")?
        .query_row([report], |r| r.get(0))?;
    let changed = conn
        .prepare_cached(
            "UPDATE conversations SET report_id = ?2, delivered_event = ?3 WHERE id = ?1",
        )?
        .execute(params![conversation, report, last])?;
    Ok(changed > 0)
}

/// Whether the platform still lets the city answer this conversation at `now`.
pub fn open_window(
    conn: &Connection,
    conversation: &str,
    now: DateTime<Utc>,
) -> Result<bool, Fail> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT channel, last_inbound FROM conversations WHERE id = ?1")?
        .query_row([conversation], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.is_some_and(|(channel, last)| {
        DateTime::parse_from_rfc3339(&last)
            .is_ok_and(|t| now - t.with_timezone(&Utc) <= reply_window(&channel))
    }))
}

/// Queues a message back to the citizen: `pending` within the window, else `outside_window`.
pub fn queue(
    conn: &Connection,
    conversation: &str,
    text: &str,
    staff: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64, Fail> {
    let state = if open_window(conn, conversation, now)? {
        "pending"
    } else {
        "outside_window"
    };
    conn.prepare_cached(
        "INSERT INTO channel_outbox (conversation_id, text, state, staff_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        conversation,
        text,
        state,
        staff,
        crate::db::ts(now)
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Queues the public replies made on linked cases since they were last looked at.
pub fn queue_case_replies(conn: &Connection, now: DateTime<Utc>) -> Result<usize, Fail> {
    let linked: Vec<(String, String, i64)> = conn
        .prepare_cached(
            "SELECT c.id, c.report_id, c.delivered_event FROM conversations c
             WHERE c.report_id IS NOT NULL AND EXISTS (SELECT 1 FROM report_events e
                 WHERE e.report_id = c.report_id AND e.id > c.delivered_event)",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut queued = 0;
    for (conversation, report, after) in linked {
        let events: Vec<(i64, String)> = conn
            .prepare_cached(
                // A reopening note is the app reporter's own words (`by_citizen`): never sent.
                "SELECT id, CASE WHEN by_citizen = 0 THEN note ELSE '' END FROM report_events
                 WHERE report_id = ?1 AND id > ?2 ORDER BY id",
            )?
            .query_map(params![report, after], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut last = after;
        for (id, note) in events {
            last = id;
            if !note.trim().is_empty() {
                queue(conn, &conversation, note.trim(), None, now)?;
                queued += 1;
            }
        }
        conn.prepare_cached("UPDATE conversations SET delivered_event = ?2 WHERE id = ?1")?
            .execute(params![conversation, last])?;
    }
    Ok(queued)
}

pub use crate::outbound::post_json;

/// Sends what is pending; returns (sent, failed).
pub async fn deliver(state: &AppState) -> Result<(usize, usize), Fail> {
    // Claimed in a write before sending (`sending`), so that two senders (the agent's reply
    // and the background pump) never send the same message; looked at first with a read, so
    // an idle pump writes nothing.
    let any: bool = state
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM channel_outbox WHERE state = 'pending')",
                [],
                |r| r.get(0),
            )?)
        })
        .await?;
    if !any {
        return Ok((0, 0));
    }
    let pending: Vec<(i64, String, String, String)> = state
        .db
        .write(|c| {
            let ids: Vec<i64> = c
                .prepare_cached(
                    "UPDATE channel_outbox SET state = 'sending' WHERE id IN
                         (SELECT id FROM channel_outbox WHERE state = 'pending' ORDER BY id LIMIT 100)
                     RETURNING id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.push(c.prepare_cached(
                    "SELECT o.id, o.text, v.channel, i.platform_user FROM channel_outbox o
                     JOIN conversations v ON v.id = o.conversation_id
                     JOIN channel_identities i ON i.id = v.identity_id
                     WHERE o.id = ?1",
                )?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?);
            }
            Ok(out)
        })
        .await?;
    let (mut sent, mut failed) = (0, 0);
    for (id, text, channel, user) in pending {
        let result = match channel.as_str() {
            ZALO => match &state.channels.zalo {
                Some(z) => zalo::send(z, &user, &text).await,
                None => Err("Zalo is not configured".to_owned()),
            },
            _ => match &state.channels.messenger {
                Some(m) => messenger::send(m, &user, &text).await,
                None => Err("Messenger is not configured".to_owned()),
            },
        };
        let (st, error) = match result {
            Ok(()) => {
                sent += 1;
                ("sent", None)
            }
            Err(e) => {
                failed += 1;
                ("failed", Some(e))
            }
        };
        state
            .db
            .write(move |c| {
                c.prepare_cached(
                    "UPDATE channel_outbox SET state = ?2, sent_at = ?3, error = ?4 WHERE id = ?1",
                )?
                .execute(params![id, st, crate::db::ts(Utc::now()), error])?;
                Ok(())
            })
            .await?;
    }
    Ok((sent, failed))
}

/// Queues the linked cases' new public replies and sends what is pending.
pub async fn pump(state: &AppState) -> Result<(usize, usize), Fail> {
    // Looked at first with a read: an idle pump writes nothing (and so wakes nobody).
    let due: bool = state
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM conversations c WHERE c.report_id IS NOT NULL
                     AND EXISTS (SELECT 1 FROM report_events e
                         WHERE e.report_id = c.report_id AND e.id > c.delivered_event))",
                [],
                |r| r.get(0),
            )?)
        })
        .await?;
    if due {
        state
            .db
            .write(|c| queue_case_replies(c, Utc::now()).map(drop))
            .await?;
    }
    deliver(state).await
}

/// Beside the server: after each write (at most every few seconds), and every minute.
pub async fn run(state: AppState) {
    if state.channels.zalo.is_none() && state.channels.messenger.is_none() {
        return;
    }
    let mut commits = state.db.commits();
    loop {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(60), commits.changed()).await;
        if let Err(e) = pump(&state).await {
            tracing::warn!(error = %e.0.message, "channels: sending replies");
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}
