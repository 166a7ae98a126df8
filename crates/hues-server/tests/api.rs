//! The HTTP contract, driven through `router(state)` with a real SQLite file in a temp dir.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use hues_server::{AppState, Config, router};
use serde_json::{Value, json};
use tower::ServiceExt;

const OPERATOR: &str = "test-operator-token";

struct Server {
    _dir: tempfile::TempDir,
    app: axum::Router,
}

impl Server {
    fn new() -> Self {
        Self::with_db().0
    }

    /// A server and a handle on its database, for tests that must age or break stored data.
    fn with_db() -> (Self, hues_server::Db) {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = AppState::open(&Config {
            data_dir: dir.path().to_path_buf(),
            operator_token: Some(OPERATOR.into()),
            demo: true,
            tiles: None,
            limits: Default::default(),
            trust_forwarded_for: false,
            hotline: None,
            vendor_dir: None,
            channels: Default::default(),
            accounts: Default::default(),
        })
        .expect("open state");
        let db = state.db.clone();
        let s = Self {
            _dir: dir,
            app: router(state),
        };
        (s, db)
    }

    async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req
            .body(
                body.map(|b| Body::from(b.to_owned()))
                    .unwrap_or_else(Body::empty),
            )
            .expect("request");
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    async fn device(&self) -> String {
        let (st, v) = self
            .call(
                "POST",
                "/api/v1/devices",
                None,
                Some(r#"{"platform":"test"}"#),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        v["token"].as_str().expect("token").to_owned()
    }
}

fn report_json(id: &str) -> Value {
    json!({
        "id": id,
        "category": "street_light",
        "description": "Đèn đường trước số 12 Lê Lợi không sáng",
        "latitude": 16.4637,
        "longitude": 107.5909,
        "created_at": "2026-11-21T08:00:00Z"
    })
}

const ID: &str = "019a8f3e-1c2d-7a4b-8c1d-0123456789ab";

fn assert_error(v: &Value, code: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("error body is not an object: {v}"));
    assert_eq!(obj.len(), 2, "exactly code and message: {v}");
    assert_eq!(obj["code"], code, "{v}");
    assert!(
        obj["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{v}"
    );
}

#[tokio::test]
async fn health_and_categories() {
    let s = Server::new();
    let (st, v) = s.call("GET", "/api/v1/health", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["status"], "ok");
    let (st, v) = s.call("GET", "/api/v1/categories", None, None).await;
    assert_eq!(st, StatusCode::OK);
    let cats = v.as_array().expect("array");
    assert!(cats.len() >= 10);
    assert!(
        cats.iter()
            .any(|c| c["code"] == "flooding" && c["name_vi"] == "Thoát nước, ngập úng")
    );
}

#[tokio::test]
async fn report_is_idempotent_on_its_id() {
    let s = Server::new();
    let t = s.device().await;
    let body = report_json(ID).to_string();
    let (st, first) = s
        .call("POST", "/api/v1/reports", Some(&t), Some(&body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "received");
    let (st, again) = s
        .call("POST", "/api/v1/reports", Some(&t), Some(&body))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(first, again);
    let mut changed = report_json(ID);
    changed["description"] = json!("something else");
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&changed.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_error(&v, "id_conflict");
    // Another device reusing the id is a conflict too, never a read of someone else's report.
    let other = s.device().await;
    let (st, v) = s
        .call("POST", "/api/v1/reports", Some(&other), Some(&body))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_error(&v, "id_conflict");
    let (_, all) = s
        .call("GET", "/api/v1/operator/reports", Some(OPERATOR), None)
        .await;
    assert_eq!(all.as_array().map(Vec::len), Some(1));
}

/// Posts `bodies` as reports at once while the database writer is kept busy, so that they
/// queue behind it and reach it together: one batch, one transaction. Answers in their order.
async fn post_together(
    s: &Arc<Server>,
    db: &hues_server::Db,
    token: &str,
    bodies: Vec<Value>,
) -> Vec<(StatusCode, Value)> {
    let busy = {
        let db = db.clone();
        tokio::spawn(async move {
            db.run(|_| {
                std::thread::sleep(Duration::from_millis(300));
                Ok(())
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let posts: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (s, t) = (Arc::clone(s), token.to_owned());
            tokio::spawn(async move {
                s.call("POST", "/api/v1/reports", Some(&t), Some(&body.to_string()))
                    .await
            })
        })
        .collect();
    busy.await.expect("join").expect("the writer was kept busy");
    let mut answers = Vec::new();
    for post in posts {
        answers.push(post.await.expect("join"));
    }
    answers
}

async fn stored_reports(s: &Server) -> Vec<Value> {
    let (st, all) = s
        .call("GET", "/api/v1/operator/reports", Some(OPERATOR), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    all.as_array().expect("array").clone()
}

#[tokio::test]
async fn retries_arriving_together_store_one_report() {
    let (s, db) = Server::with_db();
    let s = Arc::new(s);
    let t = s.device().await;
    let answers = post_together(&s, &db, &t, vec![report_json(ID); 16]).await;
    let created: Vec<_> = answers
        .iter()
        .filter(|(st, _)| *st == StatusCode::CREATED)
        .collect();
    let replayed = answers
        .iter()
        .filter(|(st, _)| *st == StatusCode::OK)
        .count();
    assert_eq!((created.len(), replayed), (1, 15), "{answers:?}");
    // Each retry saw the first one's row, inside the same transaction, and answered with it.
    assert!(
        answers.iter().all(|(_, v)| *v == created[0].1),
        "{answers:?}"
    );
    assert_eq!(stored_reports(&s).await.len(), 1);
}

#[tokio::test]
async fn another_body_with_the_same_id_together_is_a_conflict() {
    let (s, db) = Server::with_db();
    let s = Arc::new(s);
    let t = s.device().await;
    let mut other = report_json(ID);
    other["description"] = json!("something else");
    let answers = post_together(&s, &db, &t, vec![report_json(ID), other]).await;
    let mut statuses: Vec<_> = answers.iter().map(|(st, _)| *st).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{answers:?}"
    );
    let (_, conflict) = answers
        .iter()
        .find(|(st, _)| *st == StatusCode::CONFLICT)
        .expect("a conflict");
    assert_error(conflict, "id_conflict");
    let (_, created) = answers
        .iter()
        .find(|(st, _)| *st == StatusCode::CREATED)
        .expect("a creation");
    assert_eq!(stored_reports(&s).await, std::slice::from_ref(created));
}

#[tokio::test]
async fn a_failing_write_does_not_undo_the_others_in_its_batch() {
    let (s, db) = Server::with_db();
    let s = Arc::new(s);
    let t = s.device().await;
    let mut unknown = report_json("019a8f3e-1c2d-7a4b-8c1d-0000000000b2");
    unknown["category"] = json!("no_such_category");
    let answers = post_together(
        &s,
        &db,
        &t,
        vec![
            report_json("019a8f3e-1c2d-7a4b-8c1d-0000000000b1"),
            unknown,
            report_json("019a8f3e-1c2d-7a4b-8c1d-0000000000b3"),
        ],
    )
    .await;
    assert_eq!(answers[0].0, StatusCode::CREATED, "{answers:?}");
    assert_error(&answers[1].1, "unknown_category");
    assert_eq!(answers[2].0, StatusCode::CREATED, "{answers:?}");
    let mut ids: Vec<_> = stored_reports(&s)
        .await
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "019a8f3e-1c2d-7a4b-8c1d-0000000000b1",
            "019a8f3e-1c2d-7a4b-8c1d-0000000000b3"
        ]
    );
}

#[tokio::test]
async fn bad_input_gets_precise_codes() {
    let s = Server::new();
    let t = s.device().await;
    let long = "x".repeat(4001);
    let with = |field: &str, value: Value| {
        let mut r = report_json(ID);
        r[field] = value;
        r.to_string()
    };
    let without = |field: &str| {
        let mut r = report_json(ID);
        r.as_object_mut().expect("object").remove(field);
        r.to_string()
    };
    let cases: Vec<(String, u16, &str)> = vec![
        ("{not json".into(), 400, "malformed_json"),
        ("".into(), 400, "malformed_json"),
        (
            report_json(ID).to_string().replace("16.4637", "NaN"),
            400,
            "malformed_json",
        ),
        (
            report_json(ID).to_string().replace("16.4637", "Infinity"),
            400,
            "malformed_json",
        ),
        (without("category"), 422, "missing_field"),
        (without("latitude"), 422, "missing_field"),
        (with("latitude", json!("16.4")), 422, "invalid_type"),
        (with("id", json!("not-a-uuid")), 422, "invalid_value"),
        (with("latitude", json!(90.01)), 422, "out_of_range"),
        (with("latitude", json!(-91)), 422, "out_of_range"),
        (with("longitude", json!(180.5)), 422, "out_of_range"),
        (with("longitude", json!(-1e9)), 422, "out_of_range"),
        (with("description", json!(long)), 422, "too_long"),
        (with("description", json!("   ")), 422, "missing_field"),
        (with("category", json!("dragons")), 422, "unknown_category"),
        (with("extra", json!(1)), 422, "invalid_value"),
    ];
    for (body, status, code) in cases {
        let (st, v) = s
            .call("POST", "/api/v1/reports", Some(&t), Some(&body))
            .await;
        assert_eq!(st.as_u16(), status, "{body:.80} -> {v}");
        assert_error(&v, code);
    }
    // Nothing of that was stored.
    let (_, all) = s
        .call("GET", "/api/v1/operator/reports", Some(OPERATOR), None)
        .await;
    assert_eq!(all.as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let s = Server::new();
    let body = report_json(ID).to_string();
    let (st, v) = s.call("POST", "/api/v1/reports", None, Some(&body)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, "unauthorized");
    let (st, v) = s
        .call("POST", "/api/v1/reports", Some("wrong"), Some(&body))
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, "unauthorized");
    let (st, v) = s.call("GET", "/api/v1/sync", Some("wrong"), None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, "unauthorized");
    let citizen = s.device().await;
    let update = r#"{"status":"resolved","note":"x"}"#;
    let uri = format!("/api/v1/operator/reports/{ID}/status");
    let (st, v) = s.call("POST", &uri, Some(&citizen), Some(update)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_error(&v, "forbidden");
    let (st, v) = s.call("POST", &uri, Some("nope"), Some(update)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, "unauthorized");
    let (st, v) = s.call("POST", &uri, None, Some(update)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, "unauthorized");
    let (st, v) = s.call("POST", &uri, Some(OPERATOR), Some(update)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, "not_found");
}

#[tokio::test]
async fn other_errors_share_the_shape() {
    let s = Server::new();
    let t = s.device().await;
    let (st, v) = s.call("GET", "/api/v1/nowhere", None, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, "not_found");
    let (st, v) = s.call("DELETE", "/api/v1/health", None, None).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&v, "method_not_allowed");
    let (st, v) = s
        .call("GET", "/api/v1/sync?cursor=abc", Some(&t), None)
        .await;
    assert_eq!(st.as_u16(), 422);
    assert_error(&v, "invalid_value");
    let (st, v) = s.call("GET", "/api/v1/sync?limit=0", Some(&t), None).await;
    assert_eq!(st.as_u16(), 422);
    assert_error(&v, "out_of_range");
    let (st, v) = s
        .call("GET", "/api/v1/sync?limit=lots", Some(&t), None)
        .await;
    assert_eq!(st.as_u16(), 422);
    assert_error(&v, "invalid_value");
    let (st, v) = s
        .call("GET", "/api/v1/reports/not-a-uuid", Some(&t), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, "not_found");
    let huge = format!(
        "{{\"platform\":\"{}\"}}",
        "x".repeat(hues_server::MAX_BODY_BYTES)
    );
    let (st, v) = s.call("POST", "/api/v1/devices", None, Some(&huge)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&v, "payload_too_large");
    // Wrong content type.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/devices")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .expect("request");
    let resp = s.app.clone().oneshot(req).await.expect("response");
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn sync_pages_and_privacy() {
    let s = Server::new();
    let alice = s.device().await;
    let bob = s.device().await;
    let body = report_json(ID).to_string();
    let (st, _) = s
        .call("POST", "/api/v1/reports", Some(&alice), Some(&body))
        .await;
    assert_eq!(st, StatusCode::CREATED);

    // Page through Alice's feed 4 at a time: 11 categories + 1 report.
    let mut cursor = String::new();
    let mut kinds = Vec::new();
    loop {
        let (st, page) = s
            .call(
                "GET",
                &format!("/api/v1/sync?cursor={cursor}&limit=4"),
                Some(&alice),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{page}");
        for c in page["changes"].as_array().expect("changes") {
            kinds.push(c["kind"].as_str().expect("kind").to_owned());
        }
        cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
        if !page["has_more"].as_bool().expect("has_more") {
            break;
        }
    }
    assert_eq!(kinds.iter().filter(|k| *k == "report").count(), 1);
    assert!(kinds.iter().filter(|k| *k == "category").count() >= 10);

    // Nothing new since the cursor.
    let (_, page) = s
        .call(
            "GET",
            &format!("/api/v1/sync?cursor={cursor}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(page["changes"].as_array().map(Vec::len), Some(0));

    // An operator moves it along; Alice sees exactly that change next.
    let uri = format!("/api/v1/operator/reports/{ID}/status");
    let (st, _) = s
        .call(
            "POST",
            &uri,
            Some(OPERATOR),
            Some(r#"{"status":"in_progress","note":"Đội điện lực đang xử lý"}"#),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, page) = s
        .call(
            "GET",
            &format!("/api/v1/sync?cursor={cursor}"),
            Some(&alice),
            None,
        )
        .await;
    let changes = page["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["data"]["status"], "in_progress");
    assert_eq!(
        changes[0]["data"]["history"][1]["note"],
        "Đội điện lực đang xử lý"
    );

    // Bob never sees Alice's report, neither in sync nor by id.
    let (_, page) = s
        .call("GET", "/api/v1/sync?limit=1000", Some(&bob), None)
        .await;
    assert!(
        page["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .all(|c| c["kind"] != "report")
    );
    let (st, _) = s
        .call("GET", &format!("/api/v1/reports/{ID}"), Some(&bob), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .call("GET", &format!("/api/v1/reports/{ID}"), Some(&alice), None)
        .await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn openapi_documents_every_route() {
    let s = Server::new();
    let (st, doc) = s.call("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let expected = [
        ("get", "/api/v1/health"),
        ("post", "/api/v1/devices"),
        ("get", "/api/v1/categories"),
        ("post", "/api/v1/reports"),
        ("get", "/api/v1/reports/{id}"),
        ("get", "/api/v1/sync"),
        ("get", "/api/v1/operator/reports"),
        ("post", "/api/v1/operator/reports/{id}/status"),
        ("post", "/api/v1/operator/reports/{id}/publication"),
        ("post", "/api/v1/reports/{id}/rating"),
        ("post", "/api/v1/reports/{id}/reopen"),
        ("post", "/api/v1/reports/{id}/me-too"),
        ("get", "/api/v1/public/reports"),
        ("get", "/api/v1/public/reports/{id}"),
        ("get", "/api/v1/public/duplicates"),
        ("put", "/api/v1/photos/{sha256}"),
        ("get", "/api/v1/photos/{sha256}"),
        ("get", "/api/v1/openapi.json"),
        ("post", "/api/v1/bookings"),
        ("post", "/api/v1/bookings/{id}/cancel"),
        ("get", "/api/v1/operator/bookings"),
        ("post", "/api/v1/operator/bookings/{id}/decision"),
        ("post", "/api/v1/alerts"),
        ("get", "/api/v1/alerts.atom"),
        ("get", "/api/v1/alerts/{file}"),
        ("get", "/api/v1/procedures"),
        ("post", "/api/v1/dossiers/lookup"),
        ("post", "/api/v1/dossiers/track"),
        ("post", "/api/v1/dossiers/{code}/untrack"),
        ("post", "/api/v1/operator/dossiers"),
        ("post", "/api/v1/operator/dossiers/{code}/state"),
        ("post", "/api/v1/operator/dossiers/{code}/apology"),
        ("get", "/api/v1/operator/dossiers/deadlines"),
        ("post", "/api/v1/account/code"),
        ("post", "/api/v1/account/verify"),
        ("post", "/api/v1/account/sign-out"),
        ("get", "/api/v1/account"),
        ("post", "/api/v1/account/oidc/start"),
        ("post", "/api/v1/account/oidc/finish"),
        ("get", "/api/v1/account/export"),
        ("post", "/api/v1/account/delete"),
        ("post", "/api/v1/account/delete/cancel"),
        ("post", "/api/v1/consents"),
        ("put", "/api/v1/my-places/{id}"),
        ("delete", "/api/v1/my-places/{id}"),
    ];
    let paths = doc["paths"].as_object().expect("paths");
    let count: usize = paths
        .values()
        .map(|p| p.as_object().map_or(0, |o| o.len()))
        .sum();
    assert_eq!(
        count,
        expected.len(),
        "documented operations: {:?}",
        paths.keys()
    );
    for (method, path) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
        // Each documented route really answers (not with the 404 fallback's "no route").
        let (_, v) = s
            .call(
                &method.to_uppercase(),
                &path.replace("{id}", ID),
                None,
                None,
            )
            .await;
        assert!(
            !v["message"].as_str().unwrap_or("").starts_with("no route"),
            "{method} {path}: {v}"
        );
    }
    for schema in [
        "NewReport",
        "Report",
        "SyncPage",
        "ApiError",
        "Category",
        "StatusUpdate",
        "NewBooking",
        "Booking",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "schema {schema}"
        );
    }
}

#[tokio::test]
async fn server_errors_do_not_leak_internals() {
    let (s, db) = Server::with_db();
    // Break the database under the running app: the next report cannot be stored.
    db.run_blocking(|c| Ok(c.execute_batch("DROP TABLE report_events")?))
        .expect("drop");
    let t = s.device().await;
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&report_json(ID).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    assert_error(&v, "internal");
    let text = v.to_string();
    assert!(
        !text.contains("report_events") && !text.to_lowercase().contains("sql"),
        "{text}"
    );
}

#[tokio::test]
async fn category_extra_fields_are_checked() {
    let s = Server::new();
    let t = s.device().await;
    let (_, cats) = s.call("GET", "/api/v1/categories", None, None).await;
    let with_attrs = cats
        .as_array()
        .expect("array")
        .iter()
        .filter(|c| c["attributes"].as_array().is_some_and(|a| !a.is_empty()))
        .count();
    assert!(
        with_attrs >= 2,
        "at least two categories ask extra questions"
    );
    let flood = |attributes: Value| {
        let mut r = report_json(ID);
        r["category"] = json!("flooding");
        if !attributes.is_null() {
            r["attributes"] = attributes;
        }
        r.to_string()
    };
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&flood(Value::Null)),
        )
        .await;
    assert_eq!(st.as_u16(), 422);
    assert_error(&v, "missing_field");
    assert!(
        v["message"]
            .as_str()
            .is_some_and(|m| m.contains("depth_cm")),
        "{v}"
    );
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&flood(json!({"depth_cm": "deep"}))),
        )
        .await;
    assert_eq!(st.as_u16(), 422);
    assert_error(&v, "invalid_value");
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&flood(json!({"depth_cm": "40"}))),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["attributes"]["depth_cm"], "40");
}

#[tokio::test]
async fn statuses_carry_units_reasons_and_duplicates() {
    let s = Server::new();
    let t = s.device().await;
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&report_json(ID).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let other = "019a8f3e-1c2d-7a4b-8c1d-0123456789ac";
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&report_json(other).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let uri = format!("/api/v1/operator/reports/{ID}/status");
    let table: &[(Value, u16, &str)] = &[
        (json!({"status": "assigned"}), 422, "missing_field"),
        (
            json!({"status": "assigned", "unit": "  "}),
            422,
            "missing_field",
        ),
        (json!({"status": "rejected"}), 422, "missing_field"),
        (json!({"status": "duplicate"}), 422, "missing_field"),
        (
            json!({"status": "duplicate", "duplicate_of": ID}),
            422,
            "invalid_value",
        ),
        (
            json!({"status": "duplicate", "duplicate_of": "019a8f3e-1c2d-7a4b-8c1d-000000000000"}),
            422,
            "invalid_value",
        ),
        (json!({"status": "lost"}), 422, "invalid_value"),
        (
            json!({"status": "assigned", "unit": "Công ty Điện lực Huế", "note": "Đã chuyển"}),
            200,
            "",
        ),
        (json!({"status": "in_progress"}), 200, ""),
        (
            json!({"status": "duplicate", "duplicate_of": other, "note": "Trùng"}),
            200,
            "",
        ),
        (
            json!({"status": "rejected", "note": "Không thuộc thẩm quyền"}),
            200,
            "",
        ),
    ];
    for (body, status, code) in table {
        let (st, v) = s
            .call("POST", &uri, Some(OPERATOR), Some(&body.to_string()))
            .await;
        assert_eq!(st.as_u16(), *status, "{body} -> {v}");
        if !code.is_empty() {
            assert_error(&v, code);
        }
    }
    let (_, r) = s
        .call("GET", &format!("/api/v1/reports/{ID}"), Some(&t), None)
        .await;
    let h = r["history"].as_array().expect("history");
    assert_eq!(h[1]["unit"], "Công ty Điện lực Huế");
    assert_eq!(h[3]["duplicate_of"], other);
    assert_eq!(h[4]["status"], "rejected");
    assert_eq!(h[4]["note"], "Không thuộc thẩm quyền");
}

#[tokio::test]
async fn rating_and_reopening_follow_resolution() {
    let (s, db) = Server::with_db();
    let t = s.device().await;
    let other = s.device().await;
    s.call(
        "POST",
        "/api/v1/reports",
        Some(&t),
        Some(&report_json(ID).to_string()),
    )
    .await;
    let rate = format!("/api/v1/reports/{ID}/rating");
    let reopen = format!("/api/v1/reports/{ID}/reopen");
    let good = r#"{"satisfaction":"satisfied","comment":"Nhanh"}"#;
    // Not resolved yet.
    let (st, v) = s.call("POST", &rate, Some(&t), Some(good)).await;
    assert_eq!(st.as_u16(), 422, "{v}");
    let (st, _) = s.call("POST", &reopen, Some(&t), Some("{}")).await;
    assert_eq!(st.as_u16(), 422);
    let status = format!("/api/v1/operator/reports/{ID}/status");
    s.call(
        "POST",
        &status,
        Some(OPERATOR),
        Some(r#"{"status":"resolved","note":"Đã thay bóng đèn"}"#),
    )
    .await;
    // Someone else's report: not found, not forbidden (nothing is revealed).
    let (st, _) = s.call("POST", &rate, Some(&other), Some(good)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = s
        .call("POST", &rate, Some(&t), Some(r#"{"satisfaction":"meh"}"#))
        .await;
    assert_eq!(st.as_u16(), 422);
    assert_error(&v, "invalid_value");
    let (st, v) = s.call("POST", &rate, Some(&t), Some(good)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["rating"]["satisfaction"], "satisfied");
    // Reopened within 7 days: back to received with the citizen's note.
    let (st, v) = s
        .call("POST", &reopen, Some(&t), Some(r#"{"note":"Đèn lại tắt"}"#))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "received");
    // Resolved again, but 8 days ago: too late.
    s.call(
        "POST",
        &status,
        Some(OPERATOR),
        Some(r#"{"status":"resolved","note":"Đã sửa"}"#),
    )
    .await;
    db.run_blocking(|c| {
        Ok(c.execute(
            "UPDATE report_events SET at = '2020-01-01T00:00:00Z' WHERE status = 'resolved'",
            [],
        )?)
    })
    .expect("age the resolution");
    let (st, v) = s.call("POST", &reopen, Some(&t), Some("{}")).await;
    assert_eq!(st.as_u16(), 422, "{v}");
    assert!(
        v["message"].as_str().is_some_and(|m| m.contains("7 days")),
        "{v}"
    );
}

fn report_at(id: &str, category: &str, lat: f64, lon: f64) -> String {
    let mut r = report_json(id);
    r["category"] = json!(category);
    r["latitude"] = json!(lat);
    r["longitude"] = json!(lon);
    r.to_string()
}

#[tokio::test]
async fn public_reports_duplicates_and_me_too() {
    let (s, db) = Server::with_db();
    let alice = s.device().await;
    let bob = s.device().await;
    // Around Đông Ba market (16.4735, 107.5880): 0 m, ~100 m north, ~200 m north, another
    // category at 0 m, and one at 0 m made 40 days ago.
    let ids = [
        "019a8f3e-0000-7000-8000-000000000001",
        "019a8f3e-0000-7000-8000-000000000002",
        "019a8f3e-0000-7000-8000-000000000003",
        "019a8f3e-0000-7000-8000-000000000004",
        "019a8f3e-0000-7000-8000-000000000005",
    ];
    let places = [
        ("waste", 16.4735, 107.5880),
        ("waste", 16.4744, 107.5880),
        ("waste", 16.4753, 107.5880),
        ("trees", 16.4735, 107.5880),
        ("waste", 16.4735, 107.5881),
    ];
    for (id, (cat, lat, lon)) in ids.iter().zip(places) {
        let (st, v) = s
            .call(
                "POST",
                "/api/v1/reports",
                Some(&alice),
                Some(&report_at(id, cat, lat, lon)),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let old = ids[4];
    db.run_blocking(move |c| {
        Ok(c.execute(
            "UPDATE reports SET received_at = '2020-01-01T00:00:00Z' WHERE id = ?1",
            [old],
        )?)
    })
    .expect("age one report");

    let (st, dup) = s
        .call(
            "GET",
            "/api/v1/public/duplicates?category=waste&lat=16.4735&lon=107.5880",
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{dup}");
    let found: Vec<&str> = dup
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        found,
        [ids[0], ids[1]],
        "same category, within 150 m, last 30 days, nearest first"
    );

    let (_, near) = s
        .call(
            "GET",
            "/api/v1/public/reports?lat=16.4735&lon=107.5880&radius_m=500",
            None,
            None,
        )
        .await;
    let near = near.as_array().expect("list");
    assert_eq!(near.len(), 5);
    for r in near {
        let obj = r.as_object().expect("object");
        for hidden in ["device_id", "owner", "token", "device"] {
            assert!(!obj.contains_key(hidden), "{hidden} published: {r}");
        }
    }
    let (st, v) = s
        .call("GET", "/api/v1/public/reports?lat=95&lon=107", None, None)
        .await;
    assert_eq!(st.as_u16(), 422);
    assert_error(&v, "out_of_range");

    // Bob says "me too" twice: counted once, and the report now comes in Bob's sync.
    let uri = format!("/api/v1/reports/{}/me-too", ids[1]);
    for _ in 0..2 {
        let (st, v) = s.call("POST", &uri, Some(&bob), None).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["me_too"], 1);
    }
    let (_, page) = s
        .call("GET", "/api/v1/sync?limit=1000", Some(&bob), None)
        .await;
    let followed: Vec<&str> = page["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == "followed_report")
        .filter_map(|c| c["data"]["id"].as_str())
        .collect();
    assert_eq!(followed, [ids[1]]);
    let (st, one) = s
        .call(
            "GET",
            &format!("/api/v1/public/reports/{}", ids[1]),
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(one["me_too"], 1);
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::from_pixel(w, h, image::Rgb([30, 120, 200]))
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .expect("encode");
    out
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

impl Server {
    async fn put(&self, uri: &str, token: Option<&str>, body: Vec<u8>) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method("PUT")
            .uri(uri)
            .header("content-type", "image/jpeg");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body)).expect("req"))
            .await
            .expect("resp");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn raw_get(&self, method: &str, uri: &str) -> (StatusCode, Option<String>, Vec<u8>) {
        self.raw_get_as(method, uri, None).await
    }

    async fn raw_get_as(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
    ) -> (StatusCode, Option<String>, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req.body(Body::empty()).expect("req");
        let resp = self.app.clone().oneshot(req).await.expect("resp");
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, ctype, bytes)
    }
}

#[tokio::test]
async fn photos_are_content_addressed_and_checked() {
    let s = Server::new();
    let t = s.device().await;
    let photo = jpeg(64, 48);
    let name = sha(&photo);
    let uri = format!("/api/v1/photos/{name}");
    let (st, _) = s.put(&uri, None, photo.clone()).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // The server hashes the bytes itself.
    let (st, v) = s
        .put(
            &format!("/api/v1/photos/{}", sha(b"other")),
            Some(&t),
            photo.clone(),
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    assert_error(&v, "invalid_value");
    let png = b"\x89PNG\r\n\x1a\nnot really".to_vec();
    let (st, v) = s
        .put(
            &format!("/api/v1/photos/{}", sha(&png)),
            Some(&t),
            png.clone(),
        )
        .await;
    assert_eq!(st.as_u16(), 415, "{v}");
    assert_error(&v, "photo_unsupported");
    let broken = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3].to_vec();
    let (st, v) = s
        .put(
            &format!("/api/v1/photos/{}", sha(&broken)),
            Some(&t),
            broken.clone(),
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    assert_error(&v, "photo_corrupt");
    let (st, v) = s
        .put("/api/v1/photos/NOT-A-HASH", Some(&t), photo.clone())
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");

    let (st, v) = s.put(&uri, Some(&t), photo.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, _) = s.put(&uri, Some(&t), photo.clone()).await;
    assert_eq!(st, StatusCode::OK, "already there: nothing sent twice");
    // No report holds it yet: not public, but its uploader sees it.
    let (st, _, _) = s.raw_get("GET", &uri).await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "a photo no published report holds"
    );
    let (st, ctype, bytes) = s.raw_get_as("GET", &uri, Some(&t)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(ctype.as_deref(), Some("image/jpeg"));
    assert_eq!(bytes, photo);
    let (st, _, _) = s.raw_get_as("HEAD", &uri, Some(&t)).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = s
        .raw_get("HEAD", &format!("/api/v1/photos/{}", sha(b"missing")))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A report names its photos; an unknown one is refused.
    let with_photos = |photos: Vec<String>| {
        let mut r = report_json(ID);
        r["photos"] = json!(photos);
        r.to_string()
    };
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&with_photos(vec![sha(b"missing")])),
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    let six = vec![name.clone(); 6];
    let (st, _) = s
        .call("POST", "/api/v1/reports", Some(&t), Some(&with_photos(six)))
        .await;
    assert_eq!(st.as_u16(), 422, "at most 5 photos");
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&with_photos(vec![name.clone()])),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["photos"], json!([name]));

    // The city resolves it with a photo of the repair.
    let after = jpeg(32, 32);
    let after_name = sha(&after);
    let (st, _) = s
        .put(&format!("/api/v1/photos/{after_name}"), Some(&t), after)
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let update =
        json!({"status": "resolved", "note": "Đã sửa", "photos": [after_name]}).to_string();
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/operator/reports/{ID}/status"),
            Some(OPERATOR),
            Some(&update),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["history"][1]["photos"], json!([after_name]));
    assert_eq!(
        v["photos"],
        json!([name]),
        "the report's own photos stay apart"
    );
    let (_, o) = s
        .call(
            "GET",
            &format!("/open311/v2/requests/{ID}.json"),
            None,
            None,
        )
        .await;
    assert_eq!(o[0]["media_url"], format!("/api/v1/photos/{name}"));
}

#[tokio::test]
async fn where_a_report_is_is_kept_and_places_reach_every_device() {
    let s = Server::new();
    let token = s.device().await;
    let mut body = report_json(ID);
    body["place"] = json!({
        "address": "Trước số 12 Lê Lợi",
        "accuracy_m": 35.5,
        "location_source": "device",
    });
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&token),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (_, v) = s
        .call("GET", &format!("/api/v1/reports/{ID}"), Some(&token), None)
        .await;
    assert_eq!(v["place"]["address"], "Trước số 12 Lê Lợi");
    assert_eq!(v["place"]["accuracy_m"], 35.5);
    assert_eq!(v["place"]["location_source"], "device");
    // A retry with the same place is the same report; another accuracy is not.
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&token),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    body["place"]["accuracy_m"] = json!(36.0);
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&token),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // The public sees the address, never the device.
    let (_, v) = s
        .call("GET", &format!("/api/v1/public/reports/{ID}"), None, None)
        .await;
    assert_eq!(v["address"], "Trước số 12 Lê Lợi", "{v}");
    assert!(v.get("device_id").is_none() && v.get("accuracy_m").is_none());

    // Bad places are refused with the field's code.
    for (field, value, code) in [
        ("accuracy_m", json!(0), "out_of_range"),
        ("accuracy_m", json!(-5.0), "out_of_range"),
        ("address", json!(" "), "missing_field"),
        ("address", json!("x".repeat(301)), "too_long"),
        ("location_source", json!("satellite"), "invalid_value"),
    ] {
        let mut bad = report_json("019a8f3e-1c2d-7a4b-8c1d-0123456789ac");
        bad["place"] = json!({ field: value });
        let (st, v) = s
            .call(
                "POST",
                "/api/v1/reports",
                Some(&token),
                Some(&bad.to_string()),
            )
            .await;
        assert!(st.is_client_error(), "{field}: {st}");
        assert_error(&v, code);
    }

    // Every device gets the city's known places through sync.
    let other = s.device().await;
    let (_, page) = s
        .call("GET", "/api/v1/sync?limit=200", Some(&other), None)
        .await;
    let places: Vec<&Value> = page["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == "place")
        .collect();
    assert!(places.len() >= 15, "{} places", places.len());
    let market = places
        .iter()
        .find(|p| p["data"]["id"] == "cho-dong-ba")
        .expect("Đông Ba market");
    assert_eq!(market["data"]["name_vi"], "Chợ Đông Ba");
}

#[tokio::test]
async fn bookings_are_idempotent_cancellable_and_decided_by_operators() {
    let s = Server::new();
    let alice = s.device().await;
    let bob = s.device().await;
    let day = |days: i64| {
        (chrono::Utc::now() + chrono::Duration::days(days))
            .date_naive()
            .to_string()
    };
    let booking = json!({
        "id": "019a8f3e-1c2d-7a4b-8c1d-00000000b001",
        "kind": "tickets",
        "place_id": "dai-noi",
        "date_from": day(3),
        "people": 2,
        "contact_name": "Trần Thị B",
        "contact_phone": "0905 123 456",
        "created_at": "2026-11-21T08:00:00Z"
    });
    let body = booking.to_string();
    let (st, v) = s
        .call("POST", "/api/v1/bookings", Some(&alice), Some(&body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "requested");
    let (st, _) = s
        .call("POST", "/api/v1/bookings", Some(&alice), Some(&body))
        .await;
    assert_eq!(st, StatusCode::OK, "a retry is the same booking");
    let (st, _) = s
        .call("POST", "/api/v1/bookings", Some(&bob), Some(&body))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    for (field, value, status, code) in [
        (
            "contact_phone",
            json!("12"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
        ),
        (
            "people",
            json!(0),
            StatusCode::UNPROCESSABLE_ENTITY,
            "out_of_range",
        ),
        (
            "date_from",
            json!("2020-01-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "out_of_range",
        ),
        (
            "place_id",
            json!("no-such-place"),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "kind",
            json!("spa"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
        ),
    ] {
        let mut bad = booking.clone();
        bad["id"] = json!("019a8f3e-1c2d-7a4b-8c1d-00000000b0ff");
        bad[field] = value;
        let (st, v) = s
            .call(
                "POST",
                "/api/v1/bookings",
                Some(&alice),
                Some(&bad.to_string()),
            )
            .await;
        assert_eq!(st, status, "{field}: {v}");
        assert_error(&v, code);
    }

    // Only the owner may cancel; an operator confirms first.
    let id = "019a8f3e-1c2d-7a4b-8c1d-00000000b001";
    let (st, _) = s
        .call(
            "POST",
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let decide = |status: &str| {
        json!({ "status": status, "note": "Hẹn quý khách ở Ngọ Môn 8 giờ" }).to_string()
    };
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/operator/bookings/{id}/decision"),
            Some(OPERATOR),
            Some(&decide("confirmed")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "confirmed");
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["note_from_operator"], "Hẹn quý khách ở Ngọ Môn 8 giờ");
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/operator/bookings/{id}/decision"),
            Some(OPERATOR),
            Some(&decide("confirmed")),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // The booking reaches its owner's feed, not Bob's.
    let kinds = |page: &Value| -> Vec<String> {
        page["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| c["kind"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let (_, a) = s
        .call("GET", "/api/v1/sync?limit=1000", Some(&alice), None)
        .await;
    let (_, b) = s
        .call("GET", "/api/v1/sync?limit=1000", Some(&bob), None)
        .await;
    assert_eq!(kinds(&a).iter().filter(|k| *k == "booking").count(), 1);
    assert_eq!(kinds(&b).iter().filter(|k| *k == "booking").count(), 0);
}

const FLOOD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>HUE-FLOOD-2026-11-21</identifier>
  <sender>pcttkcn@hue.gov.vn</sender>
  <sent>2026-11-21T14:00:00+07:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Lũ trên sông Hương</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <headline>Cảnh báo lũ trên sông Hương</headline>
    <area>
      <areaDesc>Ven sông Hương, phường Thuận Hóa</areaDesc>
      <polygon>16.47,107.58 16.48,107.60 16.46,107.61 16.45,107.59 16.47,107.58</polygon>
    </area>
  </info>
</alert>"#;

impl Server {
    async fn post_xml(&self, uri: &str, token: Option<&str>, body: &str) -> (StatusCode, String) {
        let mut req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/cap+xml");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body.to_owned())).expect("request"))
            .await
            .expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get_text(&self, uri: &str) -> (StatusCode, String) {
        let resp = self
            .app
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
            .await
            .expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[tokio::test]
async fn cap_alerts_are_checked_kept_superseded_published_and_synced() {
    let s = Server::new();
    let citizen = s.device().await;
    let (st, _) = s.post_xml("/api/v1/alerts", Some(&citizen), FLOOD).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "operators only");
    let (st, body) = s.post_xml("/api/v1/alerts", Some(OPERATOR), FLOOD).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let record: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(record["state"], "active");
    assert_eq!(
        record["infos"][0]["areas"][0]["polygons"][0][0],
        json!([16.47, 107.58])
    );
    let (st, _) = s.post_xml("/api/v1/alerts", Some(OPERATOR), FLOOD).await;
    assert_eq!(st, StatusCode::OK, "the same alert again");

    // A broken one: 400 with the path.
    let broken = FLOOD.replace("<severity>Severe</severity>", "<severity>Bad</severity>");
    let (st, body) = s.post_xml("/api/v1/alerts", Some(OPERATOR), &broken).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let e: Value = serde_json::from_str(&body).expect("json");
    assert_error(&e, "invalid_cap");
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("alert/info[1]/severity")),
        "{e}"
    );

    // Published: the XML (valid CAP 1.2) and the Atom feed linking it.
    let (st, xml) = s.get_text("/api/v1/alerts/HUE-FLOOD-2026-11-21.xml").await;
    assert_eq!(st, StatusCode::OK);
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("dir");
    let xsd = std::path::Path::new(&dir).join("../../tests/fixtures/cap12/cap12.xsd");
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("flood.xml");
    std::fs::write(&file, &xml).expect("write");
    let lint = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(&file)
        .output()
        .expect("xmllint");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let (st, atom) = s.get_text("/api/v1/alerts.atom").await;
    assert_eq!(st, StatusCode::OK);
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert!(atom.contains("href=\"/api/v1/alerts/HUE-FLOOD-2026-11-21.xml\""));
    assert!(atom.contains("Cảnh báo lũ trên sông Hương"));

    // A Cancel referencing it marks it cancelled, for every device through sync.
    let cancel = FLOOD
        .replace("HUE-FLOOD-2026-11-21", "HUE-FLOOD-2026-11-21-CANCEL")
        .replace("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>")
        .replace(
            "<scope>Public</scope>",
            "<scope>Public</scope>\n  <references>pcttkcn@hue.gov.vn,HUE-FLOOD-2026-11-21,2026-11-21T14:00:00+07:00</references>",
        );
    let (st, body) = s.post_xml("/api/v1/alerts", Some(OPERATOR), &cancel).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (_, page) = s
        .call("GET", "/api/v1/sync?limit=1000", Some(&citizen), None)
        .await;
    let alerts: Vec<&Value> = page["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == "alert")
        .collect();
    let original = alerts
        .iter()
        .find(|a| a["data"]["identifier"] == "HUE-FLOOD-2026-11-21")
        .expect("in the feed");
    assert_eq!(original["data"]["state"], "cancelled");
    // The demo's own: a flood, a storm, a road closure, a cancelled landslide warning, an
    // expired heat advisory, each in Vietnamese and English.
    let demo = |id: &str| {
        alerts
            .iter()
            .find(|a| a["data"]["identifier"] == id)
            .unwrap_or_else(|| panic!("{id} in the feed"))
    };
    assert_eq!(demo("HUE-2026-SAT-LO-01")["data"]["state"], "cancelled");
    let flood = demo("HUE-2026-LU-SONG-HUONG-01");
    assert_eq!(flood["data"]["infos"][0]["language"], "vi-VN");
    assert_eq!(flood["data"]["infos"][1]["language"], "en-US");
    assert_eq!(
        demo("HUE-2026-CAM-DUONG-LE-DUAN-01")["data"]["infos"][0]["areas"][0]["circles"][0][2],
        0.3
    );
    // The demo is dated from the day the server seeds it: the heat advisory ended before today.
    let expires = demo("HUE-2026-NANG-NONG-01")["data"]["infos"][0]["expires"]
        .as_str()
        .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
        .expect("expires, with its offset");
    assert!(expires < chrono::Utc::now());
    assert_eq!(expires.offset().local_minus_utc(), 7 * 3600);
}

#[tokio::test]
async fn dossiers_cannot_be_enumerated_and_look_ups_are_limited() {
    let s = Server::new();
    let citizen = s.device().await;
    let lookup = |code: &str, check: &str| json!({"code": code, "check": check}).to_string();
    // A demo dossier, with its check value (last 4 digits of 0905 124 567); code in any case.
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/dossiers/lookup",
            Some(&citizen),
            Some(&lookup(" hs-2026-000101 ", "4567")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["code"], "HS-2026-000101");
    assert_eq!(v["procedure_id"], "thuong-tru");
    assert_eq!(v["state"], "in_processing");
    assert!(v.get("phone").is_none() && !v.to_string().contains("0905"));
    // A wrong check answers exactly like a code that does not exist: same status, same body.
    let (st_wrong, wrong) = s
        .call(
            "POST",
            "/api/v1/dossiers/lookup",
            Some(&citizen),
            Some(&lookup("HS-2026-000101", "4568")),
        )
        .await;
    let (st_unknown, unknown) = s
        .call(
            "POST",
            "/api/v1/dossiers/lookup",
            Some(&citizen),
            Some(&lookup("HS-2026-999999", "4567")),
        )
        .await;
    assert_eq!(st_wrong, StatusCode::NOT_FOUND);
    assert_eq!((st_wrong, &wrong), (st_unknown, &unknown));
    assert_error(&wrong, "not_found");
    // Malformed check values are refused before any look-up.
    for (code, check) in [
        ("HS-2026-000101", "45"),
        ("HS-2026-000101", "abcd"),
        ("", "4567"),
    ] {
        let (st, v) = s
            .call(
                "POST",
                "/api/v1/dossiers/lookup",
                Some(&citizen),
                Some(&lookup(code, check)),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{code} {check}: {v}");
    }
    // No token, no look-up.
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/dossiers/lookup",
            None,
            Some(&lookup("HS-2026-000101", "4567")),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // 3 look-ups so far; the limit is 10 per 10 minutes per device, right or wrong.
    for n in 3..hues_server::dossiers::LOOKUP_LIMIT {
        let (st, _) = s
            .call(
                "POST",
                "/api/v1/dossiers/lookup",
                Some(&citizen),
                Some(&lookup("HS-2026-000101", &format!("{:04}", n))),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/dossiers/lookup",
            Some(&citizen),
            Some(&lookup("HS-2026-000101", "4567")),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right check: {v}"
    );
    assert_error(&v, "rate_limited");
    // Another device is not held back.
    let other = s.device().await;
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/dossiers/track",
            Some(&other),
            Some(&lookup("HS-2026-000101", "4567")),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // But the code itself has been tried 10 times within the hour, from any device: a fresh
    // device per try gets nowhere, and the answer does not depend on the code existing.
    let third = s.device().await;
    for code in ["HS-2026-000101", "HS-2026-999999"] {
        let (st, v) = s
            .call(
                "POST",
                "/api/v1/dossiers/lookup",
                Some(&third),
                Some(&lookup(code, "4567")),
            )
            .await;
        if code == "HS-2026-000101" {
            assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
        } else {
            assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
        }
    }
    for _ in 0..hues_server::dossiers::CODE_LIMIT {
        let fresh = s.device().await;
        s.call(
            "POST",
            "/api/v1/dossiers/lookup",
            Some(&fresh),
            Some(&lookup("HS-2026-999999", "0000")),
        )
        .await;
    }
    let fresh = s.device().await;
    let (st, limited) = s
        .call(
            "POST",
            "/api/v1/dossiers/lookup",
            Some(&fresh),
            Some(&lookup("HS-2026-999999", "0000")),
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert_error(&limited, "rate_limited");
    // Other codes still answer.
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/dossiers/lookup",
            Some(&fresh),
            Some(&lookup("HS-2026-000104", "1357")),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn dossiers_move_on_apologise_when_overdue_and_units_see_their_deadlines() {
    let s = Server::new();
    let citizen = s.device().await;
    let new = json!({
        "code": "HS-TEST-1", "procedure_id": "tam-tru", "unit_vi": "Công an phường Phú Xuân",
        "unit_en": "Phú Xuân Ward Police", "phone": "0905 000 111",
        "received_at": "2026-11-23T02:00:00Z"
    });
    let (st, d) = s
        .call(
            "POST",
            "/api/v1/operator/dossiers",
            Some(OPERATOR),
            Some(&new.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    // Monday 09:00 in Huế + 3 working days, over Vietnamese Culture Day (Tuesday 24 November,
    // a day off from 2026): Friday.
    assert_eq!(d["appointment"], "2026-11-27");
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/operator/dossiers",
            Some(OPERATOR),
            Some(&new.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "same code twice");
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/operator/dossiers",
            Some(&citizen),
            Some(&new.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The citizen tracks it; the operator's moves reach the device's sync feed.
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/dossiers/track",
            Some(&citizen),
            Some(&json!({"code": "HS-TEST-1", "check": "0111"}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let step = |state: &str, note: &str| json!({"state": state, "note": note}).to_string();
    let uri = "/api/v1/operator/dossiers/HS-TEST-1/state";
    let (st, v) = s
        .call("POST", uri, Some(OPERATOR), Some(&step("returned", "")))
        .await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot skip ahead: {v}"
    );
    let (st, v) = s
        .call(
            "POST",
            uri,
            Some(OPERATOR),
            Some(&step("supplement_requested", "")),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "which documents? {v}");
    let (st, v) = s
        .call(
            "POST",
            uri,
            Some(OPERATOR),
            Some(&step("supplement_requested", "Bổ sung hợp đồng thuê nhà")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["timeline"].as_array().map(Vec::len), Some(2));
    let (_, page) = s
        .call(
            "GET",
            "/api/v1/sync?cursor=0&limit=1000",
            Some(&citizen),
            None,
        )
        .await;
    let mine: Vec<&Value> = page["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == "dossier")
        .collect();
    assert_eq!(mine.len(), 1, "only the tracked dossier: {mine:?}");
    assert_eq!(mine[0]["data"]["state"], "supplement_requested");
    let procedures = page["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == "procedure")
        .count();
    assert!(procedures >= 30, "the catalogue syncs: {procedures}");
    let other = s.device().await;
    let (_, page) = s
        .call(
            "GET",
            "/api/v1/sync?cursor=0&limit=1000",
            Some(&other),
            None,
        )
        .await;
    assert!(
        !page.to_string().contains("HS-TEST-1"),
        "a dossier goes only to its trackers"
    );
    // Once untracked, not even its tracker gets it.
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/dossiers/hs-test-1/untrack",
            Some(&citizen),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, page) = s
        .call(
            "GET",
            "/api/v1/sync?cursor=0&limit=1000",
            Some(&citizen),
            None,
        )
        .await;
    assert!(!page.to_string().contains("HS-TEST-1"), "untracked");
    // Apologies are for overdue dossiers only; the demo has one overdue by more than 5 days.
    let apology = |date: &str| json!({"reason": "Xin lỗi", "new_appointment": date}).to_string();
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/operator/dossiers/HS-2026-000101/apology",
            Some(OPERATOR),
            Some(&apology("2027-03-01")),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "on time: {v}");
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/operator/dossiers/HS-2026-000103/apology",
            Some(OPERATOR),
            Some(&apology("2027-02-06")),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a Saturday in Tết: {v}"
    );
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/operator/dossiers/HS-2026-000103/apology",
            Some(OPERATOR),
            Some(&apology("2027-03-01")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["apology"]["new_appointment"], "2027-03-01");
    // The units' view: the demo's due-soon, overdue (apologised) and escalated dossiers.
    let (st, units) = s
        .call(
            "GET",
            "/api/v1/operator/dossiers/deadlines",
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let flag_of = |code: &str| {
        units
            .as_array()
            .expect("units")
            .iter()
            .flat_map(|u| u["dossiers"].as_array().cloned().unwrap_or_default())
            .find(|d| d["code"] == code)
            .map(|d| d["flag"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(flag_of("HS-2026-000104").as_deref(), Some("due_soon"));
    assert_eq!(flag_of("HS-2026-000102").as_deref(), Some("overdue"));
    assert_eq!(flag_of("HS-2026-000103").as_deref(), Some("escalated"));
    assert_eq!(flag_of("HS-2026-000101"), None, "on time: not listed");
    assert_eq!(flag_of("HS-2026-000105"), None, "finished: not listed");
    let ward = units
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit_vi"] == "Ủy ban nhân dân phường Vỹ Dạ")
        .expect("the ward that grants first land certificates");
    assert_eq!(ward["escalated"], 1);
}

/// Issue 12: every sync page carries the city's hotline: the configured one, else with --demo
/// Hue-S's; a hotline that is not a phone number stops the server at start.
#[tokio::test]
async fn every_sync_page_carries_the_city_hotline() {
    let s = Server::new();
    let t = s.device().await;
    let (st, v) = s.call("GET", "/api/v1/sync?limit=1", Some(&t), None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["city"]["hotline"], hues_server::DEMO_HOTLINE);
    assert_eq!(hues_server::DEMO_HOTLINE, "1900 1075");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = |demo: bool, hotline: Option<&str>| Config {
        data_dir: dir.path().to_path_buf(),
        operator_token: Some(OPERATOR.into()),
        demo,
        tiles: None,
        limits: Default::default(),
        trust_forwarded_for: false,
        hotline: hotline.map(str::to_owned),
        vendor_dir: None,
        channels: Default::default(),
        accounts: Default::default(),
    };
    let set = AppState::open(&config(true, Some(" 0234 3822 000 "))).expect("start");
    assert_eq!(set.city.hotline.as_deref(), Some("0234 3822 000"));
    drop(set);
    let none = AppState::open(&config(false, None)).expect("start");
    assert_eq!(none.city.hotline, None, "no demo, no hotline: none shown");
    drop(none);
    for bad in ["call us", "12", "1900 1075 <script>"] {
        let err = AppState::open(&config(true, Some(bad))).err().expect(bad);
        assert!(err.to_string().contains("not a phone number"), "{err}");
    }
}

#[tokio::test]
async fn the_demo_seeds_again_at_every_start_without_changing_what_is_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        operator_token: Some(OPERATOR.into()),
        demo: true,
        tiles: None,
        limits: Default::default(),
        trust_forwarded_for: false,
        hotline: None,
        vendor_dir: None,
        channels: Default::default(),
        accounts: Default::default(),
    };
    let first = AppState::open(&config).expect("first start");
    let dossier = |state: &AppState| {
        state
            .db
            .run_blocking(|c| hues_server::dossiers::dossier(c, "HS-2026-000102"))
            .map_err(|e| e.0)
            .expect("read")
            .map(|(d, _)| d)
    };
    let before = dossier(&first);
    assert!(before.as_ref().is_some_and(|d| d.apology.is_some()));
    drop(first);
    // A later start (the demo's times are relative to the first seeding) must not conflict.
    let again = AppState::open(&config).expect("second start");
    assert_eq!(dossier(&again), before);
    let s = Server {
        _dir: dir,
        app: router(again),
    };
    let (st, feed) = s.call("GET", "/api/v1/alerts.atom", None, None).await;
    assert_eq!(st, StatusCode::OK, "{feed}");
}

// ---- issue 11: privacy, publication, limits, text, replays -----------------------------------

/// Every page of a device's feed, as JSON values of the changes.
async fn whole_feed(s: &Server, token: &str) -> Vec<Value> {
    let mut cursor = String::new();
    let mut all = Vec::new();
    loop {
        let (st, page) = s
            .call(
                "GET",
                &format!("/api/v1/sync?cursor={cursor}&limit=1000"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{page}");
        all.extend(page["changes"].as_array().cloned().unwrap_or_default());
        cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
        if page["has_more"] != json!(true) {
            return all;
        }
    }
}

/// Creates a report, resolves it with a note and returns nothing; panics on any refusal.
async fn resolve(s: &Server, id: &str) {
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/operator/reports/{id}/status"),
            Some(OPERATOR),
            Some(&json!({"status": "resolved", "note": "Đã sửa xong"}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn a_follower_gets_the_public_shape_and_no_feed_carries_another_devices_private_fields() {
    let s = Server::new();
    let alice = s.device().await;
    let bob = s.device().await;
    // Alice's report, with every private field filled in.
    let photo = jpeg(24, 24);
    let name = sha(&photo);
    let (st, _) = s
        .put(&format!("/api/v1/photos/{name}"), Some(&alice), photo)
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let report = json!({
        "id": ID,
        "category": "flooding",
        "description": "Ngập sâu trước chợ",
        "latitude": 16.473_512_3,
        "longitude": 107.588_049_9,
        "created_at": "2026-11-21T08:00:00.123456789Z",
        "attributes": {"depth_cm": "47"},
        "photos": [name],
        "place": {"address": "Chợ Đông Ba", "accuracy_m": 12.5, "location_source": "device"}
    });
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&alice),
            Some(&report.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    resolve(&s, ID).await;
    let rating = json!({"satisfaction": "not_satisfied", "comment": "Gọi tôi 0905 111 222"});
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/reports/{ID}/rating"),
            Some(&alice),
            Some(&rating.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/reports/{ID}/reopen"),
            Some(&alice),
            Some(&json!({"note": "Vẫn ngập, nhà tôi số 7 ngõ 3"}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Alice also books, so the booking kind is in the feed too.
    let booking = json!({
        "id": "019a8f3e-1c2d-7a4b-8c1d-00000000b777",
        "kind": "tickets",
        "place_id": "dai-noi",
        "date_from": (chrono::Utc::now() + chrono::Duration::days(3)).date_naive().to_string(),
        "people": 2,
        "contact_name": "Nguyễn Riêng Tư",
        "contact_phone": "0905 333 444",
        "created_at": "2026-11-21T08:00:00Z"
    });
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/bookings",
            Some(&alice),
            Some(&booking.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");

    // And tracks a dossier, so the dossier kind is in the feed too.
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/dossiers/track",
            Some(&alice),
            Some(r#"{"code": "HS-2026-000101", "check": "4567"}"#),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    // Bob cannot read it directly, but says "me too".
    let (st, _) = s
        .call("GET", &format!("/api/v1/reports/{ID}"), Some(&bob), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/reports/{ID}/me-too"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    let feed = whole_feed(&s, &bob).await;
    let text = serde_json::to_string(&feed).expect("json");
    for secret in [
        "0905 111 222",
        "Gọi tôi",
        "Vẫn ngập, nhà tôi",
        "not_satisfied",
        ".123456789",
        "12.5",
        "accuracy_m",
        "location_source",
        "\"depth_cm\":\"47\"",
        "\"rating\"",
        "Nguyễn Riêng Tư",
        "0905 333 444",
        "16.4735123",
        "107.5880499",
        "HS-2026-000101",
        &alice,
    ] {
        assert!(
            !text.contains(secret),
            "Bob's feed carries {secret:?}: {text}"
        );
    }
    // Every kind Bob receives is public or his own; the followed report is the public shape.
    let public = s
        .call("GET", &format!("/api/v1/public/reports/{ID}"), None, None)
        .await
        .1;
    let mut followed = 0;
    for change in &feed {
        match change["kind"].as_str().unwrap_or_default() {
            "category" | "place" | "alert" | "procedure" => {}
            "followed_report" => {
                followed += 1;
                assert_eq!(change["data"], public, "the same as /public/reports/{{id}}");
            }
            other => panic!("Bob's feed has a {other} that is not his: {change}"),
        }
    }
    assert_eq!(followed, 1);
    // The public shape: rounded position, times to the minute, no citizen's note.
    assert_eq!(public["latitude"], json!(16.474));
    assert_eq!(public["longitude"], json!(107.588));
    assert_eq!(
        public["received_at"].as_str().map(|t| &t[17..]),
        Some("00Z")
    );
    for step in public["history"].as_array().expect("history") {
        assert_eq!(step["at"].as_str().map(|t| &t[17..]), Some("00Z"), "{step}");
        assert!(!step.to_string().contains("nhà tôi"), "{step}");
    }
    // Alice's own feed still has all of hers.
    let mine = serde_json::to_string(&whole_feed(&s, &alice).await).expect("json");
    for own in [
        "0905 111 222",
        "depth_cm",
        "Nguyễn Riêng Tư",
        "Vẫn ngập",
        "HS-2026-000101",
    ] {
        assert!(mine.contains(own), "the owner keeps {own:?}");
    }
}

/// A report id for the n-th test report.
fn rid(n: u32) -> String {
    format!("019a8f3e-0000-7000-8000-{n:012}")
}

#[tokio::test]
async fn publication_decides_every_public_route_in_one_place() {
    let s = Server::new();
    let alice = s.device().await;
    let bob = s.device().await;
    let (lat, lon) = (16.4735, 107.5880);
    let photo = jpeg(20, 20);
    let name = sha(&photo);
    let (st, _) = s
        .put(&format!("/api/v1/photos/{name}"), Some(&alice), photo)
        .await;
    assert_eq!(st, StatusCode::CREATED);
    // 1: security (not public by category), with a photo; 2: waste, refused; 3: waste, public.
    let mut security: Value =
        serde_json::from_str(&report_at(&rid(1), "security", lat, lon)).expect("json");
    security["photos"] = json!([name]);
    for body in [
        security.to_string(),
        report_at(&rid(2), "waste", lat, lon),
        report_at(&rid(3), "waste", lat, lon),
    ] {
        let (st, v) = s
            .call("POST", "/api/v1/reports", Some(&alice), Some(&body))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/reports/{}/me-too", rid(2)),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "public while received: {v}");
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/operator/reports/{}/status", rid(2)),
            Some(OPERATOR),
            Some(&json!({"status": "rejected", "note": "Không thuộc thẩm quyền"}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    let listed = |v: &Value, id: &str| {
        v.as_array().is_some_and(|a| {
            a.iter()
                .any(|r| r["id"] == id || r["service_request_id"] == id)
        })
    };
    let visible = |id: String| {
        let s = &s;
        let bob = bob.clone();
        async move {
            let near = s
                .call(
                    "GET",
                    &format!("/api/v1/public/reports?lat={lat}&lon={lon}"),
                    None,
                    None,
                )
                .await
                .1;
            let dup = s
                .call(
                    "GET",
                    &format!("/api/v1/public/duplicates?category=waste&lat={lat}&lon={lon}"),
                    None,
                    None,
                )
                .await
                .1;
            let dup_sec = s
                .call(
                    "GET",
                    &format!("/api/v1/public/duplicates?category=security&lat={lat}&lon={lon}"),
                    None,
                    None,
                )
                .await
                .1;
            let o311 = s
                .call("GET", "/open311/v2/requests.json", None, None)
                .await
                .1;
            let one = s
                .call(
                    "GET",
                    &format!("/open311/v2/requests/{id}.json"),
                    None,
                    None,
                )
                .await
                .0;
            let detail = s
                .call("GET", &format!("/api/v1/public/reports/{id}"), None, None)
                .await
                .0;
            let me_too = s
                .call(
                    "POST",
                    &format!("/api/v1/reports/{id}/me-too"),
                    Some(&bob),
                    None,
                )
                .await
                .0;
            [
                listed(&near, &id),
                listed(&dup, &id) || listed(&dup_sec, &id),
                listed(&o311, &id),
                one == StatusCode::OK,
                detail == StatusCode::OK,
                me_too == StatusCode::OK,
            ]
        }
    };
    assert_eq!(visible(rid(1)).await, [false; 6], "security is not public");
    assert_eq!(
        visible(rid(2)).await,
        [false; 6],
        "a refused report is not public"
    );
    assert_eq!(visible(rid(3)).await, [true; 6], "a waste report is");
    // Its photo: not for the public, for its owner and staff.
    let uri = format!("/api/v1/photos/{name}");
    assert_eq!(s.raw_get("GET", &uri).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        s.raw_get_as("GET", &uri, Some(&bob)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.raw_get_as("GET", &uri, Some(&alice)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.raw_get_as("GET", &uri, Some(OPERATOR)).await.0,
        StatusCode::OK
    );
    // Bob followed the refused one: his feed withdraws it.
    let feed = whole_feed(&s, &bob).await;
    assert!(
        feed.iter()
            .any(|c| c["kind"] == "followed_report_withdrawn" && c["data"] == rid(2)),
        "{feed:?}"
    );
    assert!(
        !feed
            .iter()
            .any(|c| c["kind"] == "followed_report" && c["data"]["id"] == rid(2))
    );

    // Staff publish the security report and withdraw the waste one.
    let publish = |id: String, published: Value| {
        let s = &s;
        async move {
            s.call(
                "POST",
                &format!("/api/v1/operator/reports/{id}/publication"),
                Some(OPERATOR),
                Some(&json!({ "published": published }).to_string()),
            )
            .await
        }
    };
    let (st, v) = publish(rid(1), json!(true)).await;
    assert_eq!((st, v), (StatusCode::OK, json!({"published": true})));
    let (st, v) = publish(rid(3), json!(false)).await;
    assert_eq!((st, v), (StatusCode::OK, json!({"published": false})));
    assert_eq!(visible(rid(1)).await, [true; 6], "published by staff");
    assert_eq!(
        s.raw_get("GET", &uri).await.0,
        StatusCode::OK,
        "its photo with it"
    );
    assert_eq!(visible(rid(3)).await, [false; 6], "withdrawn by staff");
    let (st, v) = publish(rid(3), Value::Null).await;
    assert_eq!(
        (st, v),
        (StatusCode::OK, json!({"published": true})),
        "back to the rule"
    );
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/operator/reports/019a8f3e-0000-7000-8000-999999999999/publication",
            Some(OPERATOR),
            Some(r#"{"published": true}"#),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// Posts as a real client does: with a `Content-Length` when the body's size is known.
async fn raw_post(s: &Server, uri: &str, ctype: &str, body: Body) -> (StatusCode, Value) {
    use axum::body::HttpBody;
    let mut req = Request::post(uri).header("content-type", ctype);
    if let Some(n) = body.size_hint().exact() {
        req = req.header("content-length", n);
    }
    let req = req.body(body).expect("req");
    let resp = s.app.clone().oneshot(req).await.expect("resp");
    let st = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (st, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn bodies_over_a_routes_limit_are_refused_before_anything_reads_them() {
    let s = Server::new();
    // A 5 MB form with no api_key: refused for its size, before Open311 parses it (403 before).
    let form = format!(
        "service_code=waste&description={}",
        "a".repeat(5 * 1024 * 1024)
    );
    let (st, _) = raw_post(
        &s,
        "/open311/v2/requests.json",
        "application/x-www-form-urlencoded",
        Body::from(form),
    )
    .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    // 100 KB of JSON without a token: 413, not 401.
    let big = json!({"description": "x".repeat(100 * 1024)}).to_string();
    let (st, v) = raw_post(&s, "/api/v1/reports", "application/json", Body::from(big)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_error(&v, "payload_too_large");
    // The same without a Content-Length (streamed): cut at the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..100).map(|_| Ok(vec![b' '; 1024])).collect();
    let (st, _) = raw_post(
        &s,
        "/api/v1/reports",
        "application/json",
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
    .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    // Routes that need more still take it: a 3 MB photo is judged on its bytes, not its size.
    let t = s.device().await;
    let (st, v) = s
        .put(
            &format!("/api/v1/photos/{}", sha(b"x")),
            Some(&t),
            vec![0; 3 << 20],
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    assert_eq!(
        hues_server::body_limit(&axum::http::Method::POST, "/api/v1/alerts"),
        1 << 20
    );
    assert_eq!(
        hues_server::body_limit(&axum::http::Method::POST, "/api/v1/reports"),
        64 << 10
    );
}

#[tokio::test]
async fn the_operators_list_comes_in_pages() {
    let s = Server::new();
    let t = s.device().await;
    for n in 1..=5 {
        let (st, _) = s
            .call(
                "POST",
                "/api/v1/reports",
                Some(&t),
                Some(&report_json(&rid(n)).to_string()),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let mut uri = "/api/v1/operator/reports?limit=2".to_owned();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let req = Request::get(&uri)
            .header("authorization", format!("Bearer {OPERATOR}"))
            .body(Body::empty())
            .expect("req");
        let resp = s.app.clone().oneshot(req).await.expect("resp");
        assert_eq!(resp.status(), StatusCode::OK);
        let next = resp
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.strip_prefix('<'))
            .and_then(|l| l.split_once('>'))
            .map(|(u, _)| u.to_owned());
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let page: Vec<Value> = serde_json::from_slice(&bytes).expect("json");
        assert!(page.len() <= 2);
        seen.extend(
            page.iter()
                .map(|r| r["id"].as_str().unwrap_or_default().to_owned()),
        );
        pages += 1;
        match next {
            Some(n) => uri = n,
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut expected: Vec<String> = (1..=5).map(rid).collect();
    expected.reverse();
    assert_eq!(seen, expected, "newest first, each once");
    let (st, _) = s
        .call(
            "GET",
            "/api/v1/operator/reports?limit=0",
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(st.as_u16(), 422);
}

#[tokio::test]
async fn control_characters_are_refused_in_every_text() {
    let s = Server::new();
    let t = s.device().await;
    let with = |field: &str, value: &str| {
        let mut r = report_json(ID);
        if field == "address" {
            r["place"] = json!({ "address": value });
        } else {
            r[field] = json!(value);
        }
        r.to_string()
    };
    for (field, bad) in [
        ("description", "Rác \u{1} trước nhà"),
        ("description", "Rác\u{b}trước nhà"),
        ("address", "12 Lê Lợi\u{0}"),
    ] {
        let (st, v) = s
            .call("POST", "/api/v1/reports", Some(&t), Some(&with(field, bad)))
            .await;
        assert_eq!(st.as_u16(), 422, "{field}: {v}");
        assert_error(&v, "control_character");
    }
    let mut answers = report_json(ID);
    answers["attributes"] = json!({"pole_number": "A\u{1b}[31m12"});
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&answers.to_string()),
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    assert_error(&v, "control_character");
    // Newlines and tabs are text.
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&t),
            Some(&with("description", "Dòng 1\nDòng 2\tcột")),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // Staff and the citizen's follow-ups.
    let (st, v) = s
        .call(
            "POST",
            &format!("/api/v1/operator/reports/{ID}/status"),
            Some(OPERATOR),
            Some(&json!({"status": "resolved", "note": "Xong\u{7}"}).to_string()),
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    assert_error(&v, "control_character");
    resolve(&s, ID).await;
    for (path, body) in [
        (
            "rating",
            json!({"satisfaction": "satisfied", "comment": "Tốt\u{1}"}),
        ),
        ("reopen", json!({"note": "Còn\u{1f}"})),
    ] {
        let (st, v) = s
            .call(
                "POST",
                &format!("/api/v1/reports/{ID}/{path}"),
                Some(&t),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(st.as_u16(), 422, "{path}: {v}");
        assert_error(&v, "control_character");
    }
    let booking = json!({
        "id": "019a8f3e-1c2d-7a4b-8c1d-00000000b002",
        "kind": "tickets",
        "place_id": "dai-noi",
        "date_from": (chrono::Utc::now() + chrono::Duration::days(3)).date_naive().to_string(),
        "people": 2,
        "contact_name": "Trần\u{1}",
        "contact_phone": "0905 123 456",
        "created_at": "2026-11-21T08:00:00Z"
    });
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/bookings",
            Some(&t),
            Some(&booking.to_string()),
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    assert_error(&v, "control_character");
    // Open311: refused, and what it lists stays well-formed XML.
    let form =
        format!("api_key={t}&service_code=waste&lat=16.46&long=107.59&description=R%C3%A1c%01");
    let (st, _) = raw_post(
        &s,
        "/open311/v2/requests.xml",
        "application/x-www-form-urlencoded",
        Body::from(form),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _, xml) = s.raw_get("GET", "/open311/v2/requests.xml").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        !xml.iter()
            .any(|b| *b < 0x20 && !matches!(b, b'\n' | b'\t' | b'\r'))
    );
}

#[tokio::test]
async fn minus_zero_and_a_late_booking_retry_are_replays() {
    let (s, db) = Server::with_db();
    let t = s.device().await;
    // Longitude −0.0 (the Greenwich meridian, or a bad GPS fix): the retry is a replay.
    let body = r#"{"id":"019a8f3e-1c2d-7a4b-8c1d-0000000000f0","category":"waste","description":"Rác","latitude":51.4769,"longitude":-0.0,"created_at":"2026-11-21T08:00:00Z"}"#;
    let (st, v) = s
        .call("POST", "/api/v1/reports", Some(&t), Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = s
        .call("POST", "/api/v1/reports", Some(&t), Some(body))
        .await;
    assert_eq!(st, StatusCode::OK, "a replay, not a conflict: {v}");
    // A booking for today, whose retry arrives after its date (aged in the database).
    let booking = json!({
        "id": "019a8f3e-1c2d-7a4b-8c1d-00000000b003",
        "kind": "tickets",
        "place_id": "dai-noi",
        "date_from": "2026-01-10",
        "people": 2,
        "contact_name": "Trần Thị B",
        "contact_phone": "0905 123 456",
        "created_at": "2026-01-09T08:00:00Z"
    });
    let new: hues_wire::api::NewBooking = serde_json::from_value(booking.clone()).expect("booking");
    let device = db
        .run_blocking(|c| {
            Ok(c.query_row("SELECT id FROM devices LIMIT 1", [], |r| {
                r.get::<_, String>(0)
            })?)
        })
        .expect("device");
    let device = uuid::Uuid::parse_str(&device).expect("uuid");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 9).expect("date");
    db.run_blocking(move |c| hues_server::store::insert_booking(c, device, &new, day).map(|_| ()))
        .expect("stored when it was on time");
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/bookings",
            Some(&t),
            Some(&booking.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "the booking the server holds: {v}");
    // A new booking in the past is still refused.
    let mut late = booking.clone();
    late["id"] = json!("019a8f3e-1c2d-7a4b-8c1d-00000000b004");
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/bookings",
            Some(&t),
            Some(&late.to_string()),
        )
        .await;
    assert_eq!(st.as_u16(), 422);
}

mod replays {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        // Any printable text, newlines and tabs included, Vietnamese and emoji among it.
        proptest::collection::vec(
            prop_oneof![
                Just('\n'),
                Just('\t'),
                Just('đ'),
                Just('Ế'),
                Just('🌊'),
                proptest::char::range(' ', '~'),
                proptest::char::range('\u{a0}', '\u{24f}'),
            ],
            1..60,
        )
        .prop_map(|c| c.into_iter().collect::<String>())
        .prop_filter("not blank", |s| !s.trim().is_empty())
    }

    fn coordinate(max: f64) -> impl Strategy<Value = f64> {
        prop_oneof![Just(0.0), Just(-0.0), Just(max), Just(-max), -max..=max]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn any_accepted_report_or_booking_sent_again_byte_for_byte_is_a_replay(
            description in text(),
            lat in coordinate(90.0),
            lon in coordinate(180.0),
            accuracy in proptest::option::of(0.001f64..100_000.0),
            address in proptest::option::of(text()),
            nanos in 0u32..1_000_000_000,
            note in text(),
            people in 1u32..=50,
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
            rt.block_on(async {
                let s = Server::new();
                let t = s.device().await;
                let created = chrono::DateTime::from_timestamp(1_763_712_000, nanos).expect("time");
                let mut report = json!({
                    "id": uuid::Uuid::now_v7(),
                    "category": "waste",
                    "description": description,
                    "latitude": lat,
                    "longitude": lon,
                    "created_at": created,
                    "place": {}
                });
                if let Some(a) = &address {
                    report["place"]["address"] = json!(a);
                }
                if let Some(m) = accuracy {
                    report["place"]["accuracy_m"] = json!(m);
                    report["place"]["location_source"] = json!("device");
                }
                let body = report.to_string();
                let (first, v) = s.call("POST", "/api/v1/reports", Some(&t), Some(&body)).await;
                if first == StatusCode::CREATED {
                    let (again, w) = s.call("POST", "/api/v1/reports", Some(&t), Some(&body)).await;
                    assert_eq!(again, StatusCode::OK, "{body} → {w}");
                    assert_eq!(v, w, "the stored record, both times");
                }
                let booking = json!({
                    "id": uuid::Uuid::now_v7(),
                    "kind": "tickets",
                    "place_id": "dai-noi",
                    "date_from": (chrono::Utc::now() + chrono::Duration::days(2)).date_naive().to_string(),
                    "people": people,
                    "contact_name": "Trần Thị B",
                    "contact_phone": "0905 123 456",
                    "note": note,
                    "created_at": created
                })
                .to_string();
                let (first, _) = s.call("POST", "/api/v1/bookings", Some(&t), Some(&booking)).await;
                if first == StatusCode::CREATED {
                    let (again, w) = s.call("POST", "/api/v1/bookings", Some(&t), Some(&booking)).await;
                    assert_eq!(again, StatusCode::OK, "{booking} → {w}");
                }
            });
        }
    }
}

#[tokio::test]
async fn staff_texts_on_dossiers_refuse_control_characters() {
    let s = Server::new();
    for (uri, body) in [
        (
            "/api/v1/operator/dossiers".to_owned(),
            json!({"code": "HS-2026-009999", "procedure_id": "khai-sinh", "unit_vi": "UBND\u{1}",
                   "unit_en": "Ward", "phone": "0905123456"}),
        ),
        (
            "/api/v1/operator/dossiers/HS-2026-000101/state".to_owned(),
            json!({"state": "supplement_requested", "note": "Thiếu\u{b} giấy"}),
        ),
        (
            "/api/v1/operator/dossiers/HS-2026-000102/apology".to_owned(),
            json!({"reason": "Xin lỗi\u{1}", "new_appointment": "2027-03-01"}),
        ),
    ] {
        let (st, v) = s
            .call("POST", &uri, Some(OPERATOR), Some(&body.to_string()))
            .await;
        assert_eq!(st.as_u16(), 422, "{uri}: {v}");
        assert_error(&v, "control_character");
    }
}

#[tokio::test]
async fn public_searches_see_only_the_rounded_position_and_photos_are_named_only_by_their_uploaders()
 {
    let s = Server::new();
    let alice = s.device().await;
    let bob = s.device().await;
    // Exactly at 16.4734, 107.5880: published as 16.473, 107.588, some 44 m south.
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&alice),
            Some(&report_at(&rid(1), "waste", 16.4734, 107.5880)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let near = |lat: f64| {
        let s = &s;
        async move {
            let (_, v) = s
                .call(
                    "GET",
                    &format!("/api/v1/public/reports?lat={lat}&lon=107.588&radius_m=1"),
                    None,
                    None,
                )
                .await;
            v.as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(near(16.473).await, 1, "found where it is shown");
    assert_eq!(near(16.4734).await, 0, "not where it really is");

    // Alice's photo, seen in public, cannot be named in Bob's report...
    let photo = jpeg(16, 16);
    let name = sha(&photo);
    let (st, _) = s
        .put(
            &format!("/api/v1/photos/{name}"),
            Some(&alice),
            photo.clone(),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let with_photo = |id: String| {
        let mut r: Value =
            serde_json::from_str(&report_at(&id, "waste", 16.46, 107.59)).expect("json");
        r["photos"] = json!([name]);
        r.to_string()
    };
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&bob),
            Some(&with_photo(rid(2))),
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    // ...a PUT without the bytes proves nothing...
    let (st, _) = s
        .put(
            &format!("/api/v1/photos/{name}"),
            Some(&bob),
            b"not it".to_vec(),
        )
        .await;
    assert_ne!(st, StatusCode::OK);
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&bob),
            Some(&with_photo(rid(2))),
        )
        .await;
    assert_eq!(st.as_u16(), 422);
    // ...sending the bytes does.
    let (st, _) = s
        .put(&format!("/api/v1/photos/{name}"), Some(&bob), photo)
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&bob),
            Some(&with_photo(rid(2))),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");

    // An unpublished report has no Open311 token either.
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/reports",
            Some(&alice),
            Some(&report_at(&rid(3), "security", 16.46, 107.59)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, _) = s
        .call(
            "GET",
            &format!("/open311/v2/tokens/{}.json", rid(3)),
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .call(
            "GET",
            &format!("/open311/v2/tokens/{}.json", rid(1)),
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // An unknown page start is refused, not an empty page.
    let (st, _) = s
        .call(
            "GET",
            &format!("/api/v1/operator/reports?after={}", rid(9)),
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(st.as_u16(), 422);
}
