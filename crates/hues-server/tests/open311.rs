//! Open311 GeoReport v2: every endpoint in JSON (validated against the published schemas, copied
//! into tests/fixtures/open311-schema) and XML, the spec's errors, and one record for both APIs.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use hues_server::{AppState, Config, router};
use serde_json::{Value, json};
use tower::ServiceExt;

const OPERATOR: &str = "op";

fn schema(name: &str) -> jsonschema::Validator {
    // Read at run time: a test binary built by another clone sharing the target dir must not
    // look into that clone.
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let path = format!("{dir}/../../tests/fixtures/open311-schema/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let value: Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::validator_for(&value).expect("valid schema")
}

/// The list schemas point at the item schema by a relative `$ref`; check the list shape and
/// validate every item against the item schema.
fn assert_list_valid(list: &Value, item_schema: &str) {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    let v = schema(item_schema);
    for item in items {
        let errors: Vec<String> = v.iter_errors(item).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{item_schema}: {errors:?} in {item}");
    }
}

struct Server {
    _dir: tempfile::TempDir,
    app: axum::Router,
}

impl Server {
    fn new() -> Self {
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
        .expect("state");
        Self {
            _dir: dir,
            app: router(state),
        }
    }

    async fn raw(&self, req: Request<Body>) -> (StatusCode, String, String) {
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, ctype, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get(&self, uri: &str) -> (StatusCode, String, String) {
        self.raw(Request::get(uri).body(Body::empty()).expect("req"))
            .await
    }

    async fn json(&self, uri: &str) -> (StatusCode, Value) {
        let (st, _, body) = self.get(uri).await;
        (st, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    async fn post_form(&self, uri: &str, form: &str) -> (StatusCode, String) {
        let req = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .expect("req");
        let (st, _, body) = self.raw(req).await;
        (st, body)
    }

    async fn api_key(&self) -> String {
        let req = Request::post("/api/v1/devices")
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .expect("req");
        let (_, _, body) = self.raw(req).await;
        let v: Value = serde_json::from_str(&body).expect("json");
        v["token"].as_str().expect("token").to_owned()
    }
}

/// The XML is well-formed and has the given root; returns the text of every `<name>` element.
fn xml_texts(xml: &str, root: &str, name: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth_root = None;
    let mut inside = false;
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) => {
                let tag = AsRef::<str>::as_ref(&e.name()).to_owned();
                if depth_root.is_none() {
                    assert_eq!(tag, root, "root element");
                    depth_root = Some(tag.clone());
                }
                inside = tag == name;
            }
            quick_xml::events::Event::Text(t) if inside => {
                out.push(t.xml10_content().into_owned());
            }
            quick_xml::events::Event::End(_) => inside = false,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(depth_root.is_some(), "no root element");
    out
}

#[test]
fn the_schemas_do_reject_bad_records() {
    assert!(
        !schema("request.json").is_valid(&json!({"service_request_id": "1", "status": "maybe"}))
    );
    assert!(!schema("service.json").is_valid(&json!({"service_code": "x", "metadata": "yes"})));
}

#[tokio::test]
async fn discovery_and_services_in_both_formats() {
    let s = Server::new();
    let (st, d) = s.json("/open311/v2/discovery.json").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    let (_, _, x) = s.get("/open311/v2/discovery.xml").await;
    assert_eq!(
        xml_texts(&x, "discovery", "format"),
        ["application/json", "text/xml"]
    );

    let (st, list) = s.json("/open311/v2/services.json").await;
    assert_eq!(st, StatusCode::OK);
    assert_list_valid(&list, "service.json");
    let services = list.as_array().expect("list");
    assert!(services.len() >= 10);
    assert!(
        services
            .iter()
            .any(|s| s["service_code"] == "flooding" && s["metadata"] == true)
    );
    let (_, en) = s.json("/open311/v2/services.json?lang=en").await;
    assert!(
        en.as_array()
            .expect("list")
            .iter()
            .any(|s| s["service_name"] == "Drainage and flooding")
    );
    let (_, ctype, x) = s.get("/open311/v2/services.xml").await;
    assert!(ctype.starts_with("text/xml"));
    assert!(xml_texts(&x, "services", "service_code").contains(&"road_damage".to_owned()));

    let (st, def) = s.json("/open311/v2/services/road_damage.json").await;
    assert_eq!(st, StatusCode::OK);
    let errors: Vec<String> = schema("service-definition.json")
        .iter_errors(&def)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(def["attributes"][0]["datatype"], "singlevaluelist");
    let (_, _, x) = s.get("/open311/v2/services/road_damage.xml").await;
    assert_eq!(
        xml_texts(&x, "service_definition", "key"),
        ["small", "medium", "large", "traffic", "pedestrians"]
    );
}

#[tokio::test]
async fn a_request_posted_by_open311_is_the_same_record_as_in_the_app() {
    let s = Server::new();
    let key = s.api_key().await;
    let form = format!(
        "api_key={key}&service_code=road_damage&lat=16.4674&long=107.5905\
         &description=%E1%BB%94%20g%C3%A0%20l%E1%BB%9Bn&attribute%5Bsize%5D=large\
         &address_string=C%E1%BA%A7u%20Tr%C6%B0%E1%BB%9Dng%20Ti%E1%BB%81n\
         &attribute%5Bhazards%5D%5B%5D=traffic&attribute%5Bhazards%5D%5B%5D=pedestrians"
    );
    let (st, body) = s.post_form("/open311/v2/requests.json", &form).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let created: Value = serde_json::from_str(&body).expect("json");
    let id = created[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();

    // The app's API sees the same record with the same answers.
    let req = Request::get("/api/v1/operator/reports")
        .header("authorization", format!("Bearer {OPERATOR}"))
        .body(Body::empty())
        .expect("req");
    let (_, _, all) = s.raw(req).await;
    let all: Value = serde_json::from_str(&all).expect("json");
    let rec = &all.as_array().expect("list")[0];
    assert_eq!(rec["id"], id);
    assert_eq!(rec["description"], "Ổ gà lớn");
    assert_eq!(rec["attributes"]["hazards"], "traffic,pedestrians");
    assert_eq!(rec["place"]["address"], "Cầu Trường Tiền");

    // An operator closes it: Open311 says closed, with the note.
    let req = Request::post(format!("/api/v1/operator/reports/{id}/status"))
        .header("authorization", format!("Bearer {OPERATOR}"))
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"status": "resolved", "note": "Đã vá"}).to_string(),
        ))
        .expect("req");
    assert_eq!(s.raw(req).await.0, StatusCode::OK);

    let (st, one) = s.json(&format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(st, StatusCode::OK);
    assert_list_valid(&one, "request.json");
    assert_eq!(one[0]["status"], "closed");
    assert_eq!(one[0]["status_notes"], "Đã vá");
    assert_eq!(one[0]["address"], "Cầu Trường Tiền");
    assert!(
        one[0].get("email").is_none() && one[0].get("device_id").is_none(),
        "no reporter identity"
    );
    let (_, _, x) = s.get(&format!("/open311/v2/requests/{id}.xml")).await;
    assert_eq!(xml_texts(&x, "service_requests", "status"), ["closed"]);

    let (st, list) = s.json("/open311/v2/requests.json").await;
    assert_eq!(st, StatusCode::OK);
    assert_list_valid(&list, "request.json");
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    for (query, expected) in [
        ("status=open", 0),
        ("status=closed", 1),
        ("service_code=waste", 0),
        ("service_code=road_damage,waste", 1),
        (
            "start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z",
            0,
        ),
    ] {
        let (st, list) = s.json(&format!("/open311/v2/requests.json?{query}")).await;
        assert_eq!(st, StatusCode::OK, "{query}");
        assert_eq!(list.as_array().map(Vec::len), Some(expected), "{query}");
    }
    let (_, by_id) = s
        .json(&format!(
            "/open311/v2/requests.json?service_request_id={id}&status=open"
        ))
        .await;
    assert_eq!(
        by_id.as_array().map(Vec::len),
        Some(1),
        "ids ignore the other filters"
    );
    let (st, tok) = s.json(&format!("/open311/v2/tokens/{id}.json")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(tok[0]["service_request_id"], id);
}

#[tokio::test]
async fn errors_follow_the_spec() {
    let s = Server::new();
    let key = s.api_key().await;
    let cases: Vec<(String, StatusCode)> = vec![
        (
            "service_code=waste&lat=16.4&long=107.5&description=x".into(),
            StatusCode::FORBIDDEN,
        ),
        (
            "api_key=wrong&service_code=waste&lat=16.4&long=107.5&description=x".into(),
            StatusCode::FORBIDDEN,
        ),
        (
            format!("api_key={key}&lat=16.4&long=107.5&description=x"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("api_key={key}&service_code=dragons&lat=16.4&long=107.5&description=x"),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("api_key={key}&service_code=waste&address_string=Le%20Loi&description=x"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("api_key={key}&service_code=waste&lat=100&long=107.5&description=x"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("api_key={key}&service_code=waste&lat=abc&long=107.5&description=x"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("api_key={key}&service_code=flooding&lat=16.4&long=107.5&description=x"),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (form, status) in cases {
        for ext in ["json", "xml"] {
            let (st, body) = s
                .post_form(&format!("/open311/v2/requests.{ext}"), &form)
                .await;
            assert_eq!(st, status, "{ext} {form}: {body}");
            if ext == "json" {
                let v: Value = serde_json::from_str(&body).expect("json error");
                assert_eq!(v[0]["code"], status.as_u16(), "{body}");
                assert!(v[0]["description"].as_str().is_some_and(|d| !d.is_empty()));
            } else {
                let codes = xml_texts(&body, "errors", "code");
                assert_eq!(codes, [status.as_u16().to_string()], "{body}");
            }
        }
    }
    for uri in [
        "/open311/v2/services/dragons.json",
        "/open311/v2/requests/019a8f3e-1c2d-7a4b-8c1d-0123456789ab.json",
        "/open311/v2/requests/not-an-id.json",
        "/open311/v2/tokens/nope.json",
    ] {
        let (st, v) = s.json(uri).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(v[0]["code"], 404, "{uri}");
    }
    let (st, v) = s.json("/open311/v2/requests.json?status=lost").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v[0]["code"], 400);
    let (st, _) = s
        .json("/open311/v2/requests.json?start_date=yesterday")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

/// Issue 16: damage reported from a warning's page carries the warning's CAP identifier; the
/// server keeps it (an unknown warning is refused), gives it back to the app, and Open311 takes
/// it as `attribute[cap_identifier]` and shows it as an extended attribute, in JSON and XML.
#[tokio::test]
async fn damage_reports_name_their_warning_in_the_api_and_in_open311() {
    let s = Server::new();
    let alert = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>HUE-FLOOD-2026-11</identifier>
  <sender>pctt@hue.gov.vn</sender>
  <sent>2026-11-22T08:00:00+07:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Lũ</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>Lũ ở phường Thuận Hóa</headline>
    <area>
      <areaDesc>Phường Thuận Hóa</areaDesc>
      <polygon>16.470,107.590 16.470,107.605 16.460,107.605 16.460,107.590 16.470,107.590</polygon>
    </area>
  </info>
</alert>"#;
    let req = Request::post("/api/v1/alerts")
        .header("authorization", format!("Bearer {OPERATOR}"))
        .header("content-type", "application/cap+xml")
        .body(Body::from(alert))
        .expect("req");
    let (st, _, body) = s.raw(req).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // From the app: a report in the warning's area, linked to it.
    let key = s.api_key().await;
    let report = |id: &str, alert: &str| {
        json!({
            "id": id,
            "category": "flooding",
            "description": "Nước tràn vào nhà, ngập 40 cm",
            "latitude": 16.465,
            "longitude": 107.597,
            "created_at": "2026-11-22T09:00:00Z",
            "attributes": { "depth_cm": "40" },
            "place": { "alert": alert },
        })
        .to_string()
    };
    let post = |body: String| {
        Request::post("/api/v1/reports")
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("req")
    };
    let id = "01937a4e-0000-7000-8000-00000000d001";
    let (st, _, body) = s.raw(post(report(id, "HUE-FLOOD-2026-11"))).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let stored: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(stored["place"]["alert"], "HUE-FLOOD-2026-11");
    // A warning the city never sent: refused, with the field named.
    let (st, _, body) = s
        .raw(post(report(
            "01937a4e-0000-7000-8000-00000000d002",
            "NO-SUCH-ALERT",
        )))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("alert"), "{body}");
    // Not a CAP identifier at all (spaces, commas): refused before any look-up.
    let (st, _, body) = s
        .raw(post(report(
            "01937a4e-0000-7000-8000-00000000d003",
            "two, words",
        )))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // By Open311, as an attribute of its own.
    let form = format!(
        "api_key={key}&service_code=flooding&lat=16.466&long=107.598\
         &description=S%E1%BA%A1t%20l%E1%BB%9F%20b%E1%BB%9D%20k%C3%A8\
         &attribute%5Bdepth_cm%5D=30&attribute%5Bcap_identifier%5D=HUE-FLOOD-2026-11"
    );
    let (st, body) = s.post_form("/open311/v2/requests.json", &form).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let created: Value = serde_json::from_str(&body).expect("json");
    let by_open311 = created[0]["service_request_id"].as_str().expect("id");

    // Both, published, carry the warning in Open311's list and one record, JSON and XML.
    for rid in [id, by_open311] {
        let req = Request::post(format!("/api/v1/operator/reports/{rid}/publication"))
            .header("authorization", format!("Bearer {OPERATOR}"))
            .header("content-type", "application/json")
            .body(Body::from(json!({"published": true}).to_string()))
            .expect("req");
        let (st, _, body) = s.raw(req).await;
        assert!(st.is_success(), "publish {rid}: {st} {body}");
        let (st, one) = s.json(&format!("/open311/v2/requests/{rid}.json")).await;
        assert_eq!(st, StatusCode::OK);
        assert_list_valid(&one, "request.json");
        assert_eq!(
            one[0]["extended_attributes"]["cap_identifier"], "HUE-FLOOD-2026-11",
            "{one}"
        );
        let (_, _, x) = s.get(&format!("/open311/v2/requests/{rid}.xml")).await;
        assert_eq!(
            xml_texts(&x, "service_requests", "cap_identifier"),
            ["HUE-FLOOD-2026-11"]
        );
    }
}
