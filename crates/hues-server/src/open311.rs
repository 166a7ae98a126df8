//! Open311 GeoReport v2 at `/open311/v2/`: discovery, services, service definitions, requests
//! (list, one, create) and tokens, each as `.json` or `.xml`, with the specification's error
//! bodies (`[{"code", "description"}]`) and status codes (400, 403, 404). Requests made here and
//! reports made in the app are the same records. The reporter's identity is never published.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use hues_wire::api::{Category, NewReport, PublicReport, ReportStatus};
use serde::Serialize;
use uuid::Uuid;

use crate::error::Fail;
use crate::{AppState, auth, publication, store};

/// Rows a list answers at most, and the default window when no dates are given (the spec's).
pub const MAX_ROWS: usize = 1000;
/// Most requests asked for by id in one call.
pub const MAX_IDS: usize = 200;
pub const DEFAULT_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `name.json` / `name.xml`.
    fn split(file: &str) -> Option<(&str, Format)> {
        if let Some(stem) = file.strip_suffix(".json") {
            Some((stem, Format::Json))
        } else {
            file.strip_suffix(".xml").map(|stem| (stem, Format::Xml))
        }
    }
}

/// An Open311 error answer.
pub struct Open311Error {
    status: StatusCode,
    description: String,
    format: Format,
}

fn error(status: StatusCode, format: Format, description: impl Into<String>) -> Open311Error {
    Open311Error {
        status,
        description: description.into(),
        format,
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let code = self.status.as_u16();
        match self.format {
            Format::Json => (
                self.status,
                axum::Json(serde_json::json!([{ "code": code, "description": self.description }])),
            )
                .into_response(),
            Format::Xml => {
                let mut x = Xml::new("errors");
                x.open("error");
                x.field("code", Some(&code.to_string()));
                x.field("description", Some(&self.description));
                x.close("error");
                (self.status, xml_headers(), x.finish()).into_response()
            }
        }
    }
}

type Answer = Result<Response, Open311Error>;

fn internal(format: Format) -> impl Fn(Fail) -> Open311Error {
    move |f: Fail| {
        let status = StatusCode::from_u16(f.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let status = if status.is_server_error() {
            status
        } else {
            StatusCode::BAD_REQUEST
        };
        error(status, format, f.0.message)
    }
}

fn xml_headers() -> [(header::HeaderName, &'static str); 1] {
    [(header::CONTENT_TYPE, "text/xml; charset=utf-8")]
}

/// A small XML writer: elements and escaped text, nothing else.
struct Xml {
    out: String,
    root: &'static str,
}

impl Xml {
    fn new(root: &'static str) -> Self {
        Self {
            out: format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root}>"),
            root,
        }
    }
    fn open(&mut self, name: &str) {
        self.out.push_str(&format!("<{name}>"));
    }
    fn close(&mut self, name: &str) {
        self.out.push_str(&format!("</{name}>"));
    }
    fn field(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(v) => self.out.push_str(&format!(
                "<{name}>{}</{name}>",
                quick_xml::escape::escape(v)
            )),
            None => self.out.push_str(&format!("<{name}/>")),
        }
    }
    fn finish(mut self) -> String {
        self.out.push_str(&format!("</{}>\n", self.root));
        self.out
    }
}

fn lang_of(query: &Option<String>) -> &'static str {
    let en = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .is_some_and(|pairs| pairs.iter().any(|(k, v)| k == "lang" && v == "en"));
    if en { "en" } else { "vi" }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top_level).post(create_request))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

async fn top_level(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let Some((name, format)) = Format::split(&file) else {
        return Err(error(
            StatusCode::NOT_FOUND,
            Format::Json,
            "unknown resource; use .json or .xml",
        ));
    };
    match name {
        "discovery" => Ok(discovery(format)),
        "services" => services(&state, format, lang_of(&query)).await,
        "requests" => list_requests(&state, format, query).await,
        _ => Err(error(
            StatusCode::NOT_FOUND,
            format,
            format!("no resource {name}"),
        )),
    }
}

fn discovery(format: Format) -> Response {
    let changeset = "2026-11-22T00:00:00+07:00";
    match format {
        Format::Json => axum::Json(serde_json::json!({
            "changeset": changeset,
            "contact": "hues reference server",
            "key_service": "POST /api/v1/devices returns a token that is also an Open311 api_key",
            "endpoints": [{
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "/open311/v2",
                "changeset": changeset,
                "type": "production",
                "formats": ["application/json", "text/xml"]
            }]
        }))
        .into_response(),
        Format::Xml => {
            let mut x = Xml::new("discovery");
            x.field("changeset", Some(changeset));
            x.field("contact", Some("hues reference server"));
            x.field(
                "key_service",
                Some("POST /api/v1/devices returns a token that is also an Open311 api_key"),
            );
            x.open("endpoints");
            x.open("endpoint");
            x.field(
                "specification",
                Some("http://wiki.open311.org/GeoReport_v2"),
            );
            x.field("url", Some("/open311/v2"));
            x.field("changeset", Some(changeset));
            x.field("type", Some("production"));
            x.open("formats");
            x.field("format", Some("application/json"));
            x.field("format", Some("text/xml"));
            x.close("formats");
            x.close("endpoint");
            x.close("endpoints");
            (xml_headers(), x.finish()).into_response()
        }
    }
}

#[derive(Serialize)]
struct Service {
    service_code: String,
    service_name: String,
    description: String,
    metadata: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    keywords: String,
    group: String,
}

fn service(c: &Category, lang: &str) -> Service {
    Service {
        service_code: c.code.clone(),
        service_name: c.name(lang).to_owned(),
        description: if lang == "en" {
            c.description_en.clone()
        } else {
            c.description_vi.clone()
        },
        metadata: !c.attributes.is_empty(),
        kind: "realtime",
        keywords: c.group.clone(),
        group: c.group.clone(),
    }
}

async fn services(state: &AppState, format: Format, lang: &'static str) -> Answer {
    let cats = state
        .db
        .run(|c| store::categories(c))
        .await
        .map_err(internal(format))?;
    let list: Vec<Service> = cats.iter().map(|c| service(c, lang)).collect();
    Ok(match format {
        Format::Json => axum::Json(list).into_response(),
        Format::Xml => {
            let mut x = Xml::new("services");
            for s in &list {
                x.open("service");
                x.field("service_code", Some(&s.service_code));
                x.field("service_name", Some(&s.service_name));
                x.field("description", Some(&s.description));
                x.field("metadata", Some(if s.metadata { "true" } else { "false" }));
                x.field("type", Some(s.kind));
                x.field("keywords", Some(&s.keywords));
                x.field("group", Some(&s.group));
                x.close("service");
            }
            (xml_headers(), x.finish()).into_response()
        }
    })
}

async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let Some((code, format)) = Format::split(&file) else {
        return Err(error(
            StatusCode::NOT_FOUND,
            Format::Json,
            "use .json or .xml",
        ));
    };
    let lang = lang_of(&query);
    let code = code.to_owned();
    let cat = state
        .db
        .run(move |c| store::category(c, &code))
        .await
        .map_err(internal(format))?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format, "service_code not found"))?;
    let text = |vi: &str, en: &str| {
        if lang == "en" {
            en.to_owned()
        } else {
            vi.to_owned()
        }
    };
    let attributes: Vec<serde_json::Value> = cat
        .attributes
        .iter()
        .map(|a| {
            serde_json::json!({
                "variable": true,
                "code": a.code,
                "datatype": a.datatype.as_str(),
                "required": a.required,
                "datatype_description": serde_json::Value::Null,
                "order": a.order,
                "description": text(&a.description_vi, &a.description_en),
                "values": a.values.iter().map(|v| serde_json::json!({
                    "key": v.key, "name": text(&v.name_vi, &v.name_en)
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(match format {
        Format::Json => {
            axum::Json(serde_json::json!({ "service_code": cat.code, "attributes": attributes }))
                .into_response()
        }
        Format::Xml => {
            let mut x = Xml::new("service_definition");
            x.field("service_code", Some(&cat.code));
            x.open("attributes");
            for a in &cat.attributes {
                x.open("attribute");
                x.field("variable", Some("true"));
                x.field("code", Some(&a.code));
                x.field("datatype", Some(a.datatype.as_str()));
                x.field("required", Some(if a.required { "true" } else { "false" }));
                x.field("datatype_description", None);
                x.field("order", Some(&a.order.to_string()));
                x.field(
                    "description",
                    Some(&text(&a.description_vi, &a.description_en)),
                );
                x.open("values");
                for v in &a.values {
                    x.open("value");
                    x.field("key", Some(&v.key));
                    x.field("name", Some(&text(&v.name_vi, &v.name_en)));
                    x.close("value");
                }
                x.close("values");
                x.close("attribute");
            }
            x.close("attributes");
            (xml_headers(), x.finish()).into_response()
        }
    })
}

/// Open311's two states: the city is still on it, or it is done with it.
fn open_or_closed(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Received | ReportStatus::Assigned | ReportStatus::InProgress => "open",
        ReportStatus::Resolved | ReportStatus::Rejected | ReportStatus::Duplicate => "closed",
    }
}

fn w3c(t: DateTime<Utc>) -> String {
    t.with_timezone(&hues_wire::time::vietnam_offset())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A report as an Open311 request: no reporter, ever.
#[derive(Serialize)]
struct Request {
    service_request_id: String,
    status: &'static str,
    status_notes: Option<String>,
    service_name: Option<String>,
    service_code: String,
    description: Option<String>,
    agency_responsible: Option<String>,
    service_notice: Option<String>,
    requested_datetime: String,
    updated_datetime: Option<String>,
    expected_datetime: Option<String>,
    address: Option<String>,
    address_id: Option<String>,
    zipcode: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    media_url: Option<String>,
    /// The warning whose damage this reports (`attribute[cap_identifier]` when posted).
    #[serde(skip_serializing_if = "Option::is_none")]
    extended_attributes: Option<std::collections::BTreeMap<&'static str, String>>,
}

/// A published report as an Open311 request: the public shape (see `publication`), no reporter.
fn request(r: &PublicReport, names: &[Category], lang: &str) -> Request {
    let last = r.history.last();
    Request {
        service_request_id: r.id.to_string(),
        status: open_or_closed(r.status),
        status_notes: last.map(|h| h.note.clone()).filter(|n| !n.is_empty()),
        service_name: names
            .iter()
            .find(|c| c.code == r.category)
            .map(|c| c.name(lang).to_owned()),
        service_code: r.category.clone(),
        description: Some(r.description.clone()),
        agency_responsible: None,
        service_notice: None,
        requested_datetime: w3c(r.received_at),
        updated_datetime: last.map(|h| w3c(h.at)),
        expected_datetime: None,
        address: r.address.clone(),
        address_id: None,
        zipcode: None,
        lat: Some(r.latitude),
        long: Some(r.longitude),
        // The first photo, as a path on this server (the spec leaves the form open).
        media_url: r.photos.first().map(|sha| format!("/api/v1/photos/{sha}")),
        extended_attributes: r.alert.clone().map(|a| {
            std::collections::BTreeMap::from([(hues_wire::api::CAP_IDENTIFIER_ATTRIBUTE, a)])
        }),
    }
}

fn requests_answer(list: &[Request], format: Format, status: StatusCode) -> Response {
    match format {
        Format::Json => (status, axum::Json(list)).into_response(),
        Format::Xml => {
            let mut x = Xml::new("service_requests");
            for r in list {
                x.open("request");
                x.field("service_request_id", Some(&r.service_request_id));
                x.field("status", Some(r.status));
                x.field("status_notes", r.status_notes.as_deref());
                x.field("service_name", r.service_name.as_deref());
                x.field("service_code", Some(&r.service_code));
                x.field("description", r.description.as_deref());
                x.field("agency_responsible", None);
                x.field("service_notice", None);
                x.field("requested_datetime", Some(&r.requested_datetime));
                x.field("updated_datetime", r.updated_datetime.as_deref());
                x.field("expected_datetime", None);
                x.field("address", r.address.as_deref());
                x.field("address_id", None);
                x.field("zipcode", None);
                x.field("lat", r.lat.map(|v| v.to_string()).as_deref());
                x.field("long", r.long.map(|v| v.to_string()).as_deref());
                x.field("media_url", r.media_url.as_deref());
                if let Some(extra) = &r.extended_attributes {
                    x.open("extended_attributes");
                    for (name, value) in extra {
                        x.field(name, Some(value));
                    }
                    x.close("extended_attributes");
                }
                x.close("request");
            }
            (status, xml_headers(), x.finish()).into_response()
        }
    }
}

fn parse_date(value: &str, name: &str, format: Format) -> Result<DateTime<Utc>, Open311Error> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            error(
                StatusCode::BAD_REQUEST,
                format,
                format!("{name} must be a W3C date-time such as 2026-11-21T08:00:00+07:00"),
            )
        })
}

async fn list_requests(state: &AppState, format: Format, query: Option<String>) -> Answer {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
            .map_err(|_| error(StatusCode::BAD_REQUEST, format, "malformed query string"))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let lang = if get("lang") == Some("en") {
        "en"
    } else {
        "vi"
    };
    let ids: Option<Vec<String>> = get("service_request_id").map(|v| {
        v.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let codes: Option<Vec<String>> = get("service_code").map(|v| {
        v.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let wanted_status = match get("status") {
        None | Some("") => None,
        Some(s) => Some(
            s.split(',')
                .map(|p| match p.trim() {
                    "open" => Ok("open"),
                    "closed" => Ok("closed"),
                    _ => Err(error(
                        StatusCode::BAD_REQUEST,
                        format,
                        "status must be open or closed",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let end = get("end_date")
        .map(|v| parse_date(v, "end_date", format))
        .transpose()?;
    let start = get("start_date")
        .map(|v| parse_date(v, "start_date", format))
        .transpose()?;
    let end_bound = end.unwrap_or_else(Utc::now);
    // Without dates: the last 90 days. A window is at most 90 days too.
    let start_bound = start.unwrap_or(end_bound - Duration::days(DEFAULT_DAYS));
    if start_bound > end_bound {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format,
            "start_date is after end_date",
        ));
    }
    let by_id = ids.is_some();
    let statuses = wanted_status.map(|wanted| {
        ReportStatus::ALL
            .into_iter()
            .filter(|s| wanted.contains(&open_or_closed(*s)))
            .collect()
    });
    let filter = publication::ListFilter {
        ids,
        categories: codes,
        statuses,
        start: Some(start_bound),
        end: Some(end_bound),
        limit: if by_id { MAX_IDS } else { MAX_ROWS },
    };
    let (reports, cats) = state
        .db
        .run(move |c| Ok((publication::list(c, &filter)?, store::categories(c)?)))
        .await
        .map_err(internal(format))?;
    let list: Vec<Request> = reports.iter().map(|r| request(r, &cats, lang)).collect();
    Ok(requests_answer(&list, format, StatusCode::OK))
}

async fn one_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let Some((id, format)) = Format::split(&file) else {
        return Err(error(
            StatusCode::NOT_FOUND,
            Format::Json,
            "use .json or .xml",
        ));
    };
    let lang = lang_of(&query);
    let id = Uuid::parse_str(id).map_err(|_| {
        error(
            StatusCode::NOT_FOUND,
            format,
            "service_request_id not found",
        )
    })?;
    let (found, cats) = state
        .db
        .run(move |c| Ok((publication::report(c, id)?, store::categories(c)?)))
        .await
        .map_err(internal(format))?;
    let r = found.ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            format,
            "service_request_id not found",
        )
    })?;
    Ok(requests_answer(
        &[request(&r, &cats, lang)],
        format,
        StatusCode::OK,
    ))
}

/// We answer POST with the id at once, so a token is simply the request id.
async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Answer {
    let Some((token, format)) = Format::split(&file) else {
        return Err(error(
            StatusCode::NOT_FOUND,
            Format::Json,
            "use .json or .xml",
        ));
    };
    let id = Uuid::parse_str(token)
        .map_err(|_| error(StatusCode::NOT_FOUND, format, "token not found"))?;
    let exists = state
        .db
        .run(move |c| Ok(publication::is_published(c, id)? == Some(true)))
        .await
        .map_err(internal(format))?;
    if !exists {
        return Err(error(StatusCode::NOT_FOUND, format, "token not found"));
    }
    let id = id.to_string();
    Ok(match format {
        Format::Json => axum::Json(serde_json::json!([{ "service_request_id": id, "token": id }]))
            .into_response(),
        Format::Xml => {
            let mut x = Xml::new("service_requests");
            x.open("request");
            x.field("service_request_id", Some(&id));
            x.field("token", Some(&id));
            x.close("request");
            (xml_headers(), x.finish()).into_response()
        }
    })
}

/// `POST requests.{json,xml}`, form-encoded: `api_key`, `service_code`, `lat`, `long`,
/// `description`, `attribute[CODE]` (repeated `attribute[CODE][]` for several values).
async fn create_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    body: Bytes,
) -> Answer {
    let format = match Format::split(&file) {
        Some(("requests", f)) => f,
        Some((_, f)) => {
            return Err(error(
                StatusCode::NOT_FOUND,
                f,
                "POST goes to requests.json or requests.xml",
            ));
        }
        None => {
            return Err(error(
                StatusCode::NOT_FOUND,
                Format::Json,
                "use .json or .xml",
            ));
        }
    };
    let bad = |d: &str| error(StatusCode::BAD_REQUEST, format, d);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| bad("the body must be application/x-www-form-urlencoded"))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_owned())
    };
    let api_key = get("api_key")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| error(StatusCode::FORBIDDEN, format, "api_key is required"))?;
    let hash = auth::hash_token(&api_key);
    let device = state
        .db
        .run(move |c| store::device_by_token_hash(c, &hash))
        .await
        .map_err(internal(format))?
        .ok_or_else(|| error(StatusCode::FORBIDDEN, format, "api_key is not valid"))?;
    let code = get("service_code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| bad("service_code is required"))?;
    let number = |name: &str| -> Result<f64, Open311Error> {
        let v = get(name).ok_or_else(|| {
            bad(&format!(
                "{name} is required (address_string alone is not supported)"
            ))
        })?;
        v.parse::<f64>()
            .map_err(|_| bad(&format!("{name} is not a number")))
    };
    let (lat, long) = (number("lat")?, number("long")?);
    let mut attributes = hues_wire::api::Attributes::new();
    for (k, v) in &pairs {
        if let Some(rest) = k.strip_prefix("attribute[") {
            let name = rest.trim_end_matches("[]").trim_end_matches(']').to_owned();
            attributes
                .entry(name)
                .and_modify(|e: &mut String| {
                    e.push(',');
                    e.push_str(v.trim());
                })
                .or_insert_with(|| v.trim().to_owned());
        }
    }
    // The warning whose damage this reports travels as an attribute of its own.
    let alert = attributes.remove(hues_wire::api::CAP_IDENTIFIER_ATTRIBUTE);
    let new = NewReport {
        id: Uuid::now_v7(),
        category: code.clone(),
        description: get("description").unwrap_or_default(),
        latitude: lat,
        longitude: long,
        created_at: Utc::now(),
        attributes,
        photos: Vec::new(),
        place: hues_wire::api::ReportPlace {
            address: get("address_string").filter(|a| !a.is_empty()),
            alert,
            ..Default::default()
        },
    };
    let new = new.normalised();
    hues_wire::validate::check_report(&new).map_err(|e| {
        let api: hues_wire::ApiError = e.into();
        bad(&api.message)
    })?;
    let stored = state
        .db
        .write(move |c| store::insert_report(c, device, &new))
        .await
        .map_err(|f| {
            if f.0.code == hues_wire::ErrorCode::UnknownCategory {
                error(StatusCode::NOT_FOUND, format, "service_code not found")
            } else {
                internal(format)(f)
            }
        })?;
    let id = match stored {
        store::Stored::Created(r) | store::Stored::Replayed(r) => r.id.to_string(),
    };
    Ok(match format {
        Format::Json => (
            StatusCode::CREATED,
            axum::Json(serde_json::json!([{ "service_request_id": id, "service_notice": null, "account_id": null }])),
        )
            .into_response(),
        Format::Xml => {
            let mut x = Xml::new("service_requests");
            x.open("request");
            x.field("service_request_id", Some(&id));
            x.field("service_notice", None);
            x.field("account_id", None);
            x.close("request");
            (StatusCode::CREATED, xml_headers(), x.finish()).into_response()
        }
    })
}
