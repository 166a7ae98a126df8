//! CAP 1.2 (OASIS Common Alerting Protocol): parse an operator's XML into a small tree, check it
//! against the standard's rules with the path of the first offending element, and write it back
//! in the schema's element order. Extension elements from other namespaces (e.g. an XML
//! signature) are kept as they came, so nothing is lost.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

pub const CAP_NS: &str = "urn:oasis:names:tc:emergency:cap:1.2";
/// CAP 1.1 documents (still published, e.g. by the US weather service) are read as 1.2: the
/// elements they use have the same names and meaning.
const CAP_NS_11: &str = "urn:oasis:names:tc:emergency:cap:1.1";

/// An element: its local name, namespace, attributes, text, and children.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub name: String,
    pub ns: Option<String>,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name && c.is_cap())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children
            .iter()
            .filter(move |c| c.name == name && c.is_cap())
    }

    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    fn is_cap(&self) -> bool {
        self.ns.as_deref() == Some(CAP_NS)
    }
}

/// Why a document was refused: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for CapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn err(path: &str, message: impl Into<String>) -> CapError {
    CapError {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Caps on what `parse_tree` accepts, far above any real alert (the CAP schema nests five deep,
/// alert/info/area/geocode/value, and a signature a few more; real alerts declare one or two
/// namespaces and a few hundred elements), so that a hostile document is refused in time linear
/// in its size and never builds a tree that a recursive walk could not handle.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Nesting depth, the root counting as 1. Every recursive walk of a [`Node`] (writing it back,
/// comparing, cloning, dropping) is therefore at most this deep.
pub const MAX_DEPTH: usize = 16;
/// Elements in the whole document.
pub const MAX_ELEMENTS: usize = 10_000;
/// Attributes on one element, namespace declarations included.
pub const MAX_ATTRIBUTES: usize = 32;
/// Namespace declarations (`xmlns`, `xmlns:p`) in the whole document.
pub const MAX_NAMESPACES: usize = 32;

/// The path of an element: its open ancestors and its own name (at most `MAX_DEPTH` names).
fn path_of(stack: &[Node], name: &str) -> String {
    let mut path: Vec<&str> = stack.iter().map(|n| n.name.as_str()).collect();
    path.push(name);
    path.join("/")
}

/// Reads a start tag. `namespaces` counts the declarations seen so far in the document.
fn start_node(
    e: &BytesStart<'_>,
    stack: &[Node],
    scopes: &[Vec<(String, String)>],
    namespaces: &mut usize,
) -> Result<Node, CapError> {
    let name = e.name();
    let qname: &str = name.as_ref();
    let (prefix, local) = match qname.split_once(':') {
        Some((p, l)) => (Some(p.to_owned()), l.to_owned()),
        None => (None, qname.to_owned()),
    };
    let mut attrs = Vec::new();
    let mut declared = Vec::new();
    // quick-xml (>= 0.41) checks for duplicate names in linear time; the count stops the loop
    // early anyway, so a tag with 50,000 attributes costs no more than one with 33.
    for a in e.attributes() {
        if attrs.len() == MAX_ATTRIBUTES {
            return Err(err(
                &path_of(stack, &local),
                format!("more than {MAX_ATTRIBUTES} attributes on one element (the attribute cap)"),
            ));
        }
        let a = a.map_err(|e| err(&path_of(stack, &local), format!("bad attribute: {e}")))?;
        let key: &str = a.key.as_ref();
        let key = key.to_owned();
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| err(&path_of(stack, &local), format!("bad attribute value: {e}")))?
            .into_owned();
        let prefix = if key == "xmlns" {
            Some(String::new())
        } else {
            key.strip_prefix("xmlns:").map(str::to_owned)
        };
        if let Some(p) = prefix {
            *namespaces += 1;
            if *namespaces > MAX_NAMESPACES {
                return Err(err(
                    &path_of(stack, &local),
                    format!(
                        "more than {MAX_NAMESPACES} namespace declarations in the document (the namespace cap)"
                    ),
                ));
            }
            declared.push((p, value.clone()));
        }
        attrs.push((key, value));
    }
    let wanted = prefix.clone().unwrap_or_default();
    // At most MAX_NAMESPACES declarations to look through.
    let ns = declared
        .iter()
        .rev()
        .chain(scopes.iter().rev().flat_map(|s| s.iter().rev()))
        .find(|(p, _)| *p == wanted)
        .map(|(_, uri)| {
            if uri == CAP_NS_11 {
                CAP_NS.to_owned()
            } else {
                uri.clone()
            }
        });
    Ok(Node {
        name: local,
        ns,
        attrs,
        text: String::new(),
        children: Vec::new(),
    })
}

fn declared(n: &Node) -> Vec<(String, String)> {
    n.attrs
        .iter()
        .filter_map(|(k, v)| {
            if k == "xmlns" {
                Some((String::new(), v.clone()))
            } else {
                k.strip_prefix("xmlns:").map(|p| (p.to_owned(), v.clone()))
            }
        })
        .collect()
}

/// Parses XML into a tree (no DTDs; entities limited to XML's own), within the caps above: a
/// document over one is refused with a message naming the cap, as soon as it is reached.
pub fn parse_tree(xml: &str) -> Result<Node, CapError> {
    if xml.len() > MAX_BYTES {
        return Err(err(
            "alert",
            format!("the document is over {MAX_BYTES} bytes (the size cap)"),
        ));
    }
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut scopes: Vec<Vec<(String, String)>> = Vec::new();
    let mut root = None;
    let mut elements = 0usize;
    let mut namespaces = 0usize;
    // Counts an element about to open under `stack`, refusing it over the depth or element cap.
    let mut open = |stack: &[Node], e: &BytesStart<'_>| -> Result<(), CapError> {
        elements += 1;
        let name = e.name();
        let qname: &str = name.as_ref();
        let local = qname.rsplit(':').next().unwrap_or_default();
        if stack.len() >= MAX_DEPTH {
            return Err(err(
                &path_of(stack, local),
                format!("elements nested more than {MAX_DEPTH} deep (the depth cap)"),
            ));
        }
        if elements > MAX_ELEMENTS {
            return Err(err(
                &path_of(stack, local),
                format!("more than {MAX_ELEMENTS} elements in the document (the element cap)"),
            ));
        }
        Ok(())
    };
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| err("alert", format!("not well-formed XML: {e}")))?;
        match ev {
            Event::Start(e) => {
                open(&stack, &e)?;
                let n = start_node(&e, &stack, &scopes, &mut namespaces)?;
                scopes.push(declared(&n));
                stack.push(n);
            }
            Event::Empty(e) => {
                open(&stack, &e)?;
                let n = start_node(&e, &stack, &scopes, &mut namespaces)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    // Since quick-xml 0.38 a text event holds no references (they come as
                    // `GeneralRef`); line ends are normalised as XML 1.0 says.
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name: &str = &r;
                    let ch = match name {
                        "amp" => "&".to_owned(),
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "quot" => "\"".to_owned(),
                        "apos" => "'".to_owned(),
                        other => match r.resolve_char_ref() {
                            Ok(Some(c)) => c.to_string(),
                            _ => return Err(err(&top.name, format!("unknown entity &{other};"))),
                        },
                    };
                    top.text.push_str(&ch);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::End(_) => {
                scopes.pop();
                let n = stack.pop().ok_or_else(|| err("alert", "unbalanced XML"))?;
                // A control character (even as `&#x1;`) would make every document written
                // from this one (the CAP XML, the Atom feed) malformed for its readers.
                let clean = hues_wire::validate::is_clean_text;
                if !clean(&n.text) || n.attrs.iter().any(|(_, v)| !clean(v)) {
                    return Err(err(
                        &path_of(&stack, &n.name),
                        "a control character (other than newline and tab) is not accepted",
                    ));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::DocType(_) => return Err(err("alert", "a DOCTYPE is not accepted")),
            Event::Eof => break,
            _ => {}
        }
    }
    root.ok_or_else(|| err("alert", "empty document"))
}

const STATUS: [&str; 5] = ["Actual", "Exercise", "System", "Test", "Draft"];
const MSG_TYPE: [&str; 5] = ["Alert", "Update", "Cancel", "Ack", "Error"];
const SCOPE: [&str; 3] = ["Public", "Restricted", "Private"];
const CATEGORY: [&str; 12] = [
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
];
const RESPONSE: [&str; 9] = [
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None",
];
const URGENCY: [&str; 5] = ["Immediate", "Expected", "Future", "Past", "Unknown"];
const SEVERITY: [&str; 5] = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
const CERTAINTY: [&str; 5] = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"];

/// Element order of the schema (cap12.xsd), for checking and for writing.
const ALERT_ORDER: [&str; 14] = [
    "identifier",
    "sender",
    "sent",
    "status",
    "msgType",
    "source",
    "scope",
    "restriction",
    "addresses",
    "code",
    "note",
    "references",
    "incidents",
    "info",
];
const INFO_ORDER: [&str; 21] = [
    "language",
    "category",
    "event",
    "responseType",
    "urgency",
    "severity",
    "certainty",
    "audience",
    "eventCode",
    "effective",
    "onset",
    "expires",
    "senderName",
    "headline",
    "description",
    "instruction",
    "web",
    "contact",
    "parameter",
    "resource",
    "area",
];
const RESOURCE_ORDER: [&str; 6] = [
    "resourceDesc",
    "mimeType",
    "size",
    "uri",
    "derefUri",
    "digest",
];
const AREA_ORDER: [&str; 6] = [
    "areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling",
];
const PAIR_ORDER: [&str; 2] = ["valueName", "value"];

/// A CAP date-time: `2026-11-21T14:00:00+07:00` (an explicit offset; CAP 1.2 forbids `Z`).
pub fn check_time(s: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    let b = s.as_bytes();
    let shape = b.len() == 25 && b[10] == b'T' && (b[19] == b'+' || b[19] == b'-') && b[22] == b':';
    if !shape {
        return Err(format!(
            "{s:?} is not a CAP time: YYYY-MM-DDThh:mm:ss with an offset like +07:00"
        ));
    }
    chrono::DateTime::parse_from_rfc3339(s).map_err(|e| format!("{s:?}: {e}"))
}

fn check_order(node: &Node, path: &str, order: &[&str]) -> Result<(), CapError> {
    let mut last = 0;
    for c in &node.children {
        if !c.is_cap() {
            // Extensions (another namespace) only where the schema allows them: at the end of
            // an alert.
            if node.name == "alert" {
                continue;
            }
            return Err(err(
                &format!("{path}/{}", c.name),
                "an element from another namespace is not allowed here",
            ));
        }
        let Some(i) = order.iter().position(|n| *n == c.name) else {
            return Err(err(&format!("{path}/{}", c.name), "unknown element"));
        };
        if i < last {
            return Err(err(
                &format!("{path}/{}", c.name),
                format!("out of order (the schema's order is {})", order.join(", ")),
            ));
        }
        last = i;
    }
    Ok(())
}

fn one<'a>(node: &'a Node, path: &str, name: &'a str) -> Result<&'a str, CapError> {
    let mut found = node.all(name);
    let first = found
        .next()
        .ok_or_else(|| err(&format!("{path}/{name}"), "required element is missing"))?;
    if found.next().is_some() {
        return Err(err(&format!("{path}/{name}"), "appears more than once"));
    }
    let t = first.text.trim();
    if t.is_empty() {
        return Err(err(&format!("{path}/{name}"), "is empty"));
    }
    Ok(t)
}

fn at_most_one(node: &Node, path: &str, name: &str) -> Result<Option<String>, CapError> {
    let mut found = node.all(name);
    let first = found.next().map(|n| n.text.trim().to_owned());
    if found.next().is_some() {
        return Err(err(&format!("{path}/{name}"), "appears more than once"));
    }
    Ok(first)
}

fn enumerated(value: &str, allowed: &[&str], path: &str) -> Result<(), CapError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(err(
            path,
            format!("{value:?} is not one of {}", allowed.join(", ")),
        ))
    }
}

fn coordinate(pair: &str, path: &str) -> Result<(f64, f64), CapError> {
    let (lat, lon) = pair
        .split_once(',')
        .ok_or_else(|| err(path, format!("{pair:?} is not \"latitude,longitude\"")))?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| err(path, format!("{lat:?} is not a latitude")))?;
    let lon: f64 = lon
        .trim()
        .parse()
        .map_err(|_| err(path, format!("{lon:?} is not a longitude")))?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(err(path, format!("{lat},{lon} is out of range")));
    }
    Ok((lat, lon))
}

/// A polygon's points; a closed ring of at least 4 pairs.
pub fn polygon_points(text: &str, path: &str) -> Result<Vec<(f64, f64)>, CapError> {
    let points = text
        .split_whitespace()
        .map(|p| coordinate(p, path))
        .collect::<Result<Vec<_>, _>>()?;
    if points.len() < 4 {
        return Err(err(path, "a polygon needs at least 4 coordinate pairs"));
    }
    if points.first() != points.last() {
        return Err(err(
            path,
            "a polygon must end where it starts (a closed ring)",
        ));
    }
    Ok(points)
}

/// A circle: centre and radius in km.
pub fn circle(text: &str, path: &str) -> Result<((f64, f64), f64), CapError> {
    let mut parts = text.split_whitespace();
    let (Some(centre), Some(radius), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(err(path, "a circle is \"latitude,longitude radius_km\""));
    };
    let centre = coordinate(centre, path)?;
    let radius: f64 = radius
        .parse()
        .ok()
        .filter(|r: &f64| r.is_finite() && *r >= 0.0)
        .ok_or_else(|| err(path, format!("{radius:?} is not a radius in km")))?;
    Ok((centre, radius))
}

fn no_space_id(value: &str, path: &str) -> Result<(), CapError> {
    if value.contains([' ', ',', '<', '&']) {
        return Err(err(path, "must not contain spaces, commas, < or &"));
    }
    Ok(())
}

fn check_pairs(node: &Node, path: &str, name: &str) -> Result<(), CapError> {
    for (i, p) in node.all(name).enumerate() {
        let path = format!("{path}/{name}[{}]", i + 1);
        check_order(p, &path, &PAIR_ORDER)?;
        one(p, &path, "valueName")?;
        at_most_one(p, &path, "value")?;
    }
    Ok(())
}

/// Checks a parsed document against CAP 1.2.
pub fn validate(root: &Node) -> Result<(), CapError> {
    if root.name != "alert" || !root.is_cap() {
        return Err(err(
            &root.name,
            format!("the root must be <alert> in the namespace {CAP_NS}"),
        ));
    }
    let path = "alert";
    check_order(root, path, &ALERT_ORDER)?;
    no_space_id(one(root, path, "identifier")?, "alert/identifier")?;
    no_space_id(one(root, path, "sender")?, "alert/sender")?;
    check_time(one(root, path, "sent")?).map_err(|m| err("alert/sent", m))?;
    enumerated(one(root, path, "status")?, &STATUS, "alert/status")?;
    let msg_type = one(root, path, "msgType")?;
    enumerated(msg_type, &MSG_TYPE, "alert/msgType")?;
    let scope = one(root, path, "scope")?;
    enumerated(scope, &SCOPE, "alert/scope")?;
    for name in [
        "source",
        "restriction",
        "addresses",
        "note",
        "references",
        "incidents",
    ] {
        at_most_one(root, path, name)?;
    }
    if scope == "Restricted" && root.text_of("restriction").is_none_or(str::is_empty) {
        return Err(err(
            "alert/restriction",
            "required when scope is Restricted",
        ));
    }
    if scope == "Private" && root.text_of("addresses").is_none_or(str::is_empty) {
        return Err(err("alert/addresses", "required when scope is Private"));
    }
    if matches!(msg_type, "Update" | "Cancel" | "Ack" | "Error")
        && root.text_of("references").is_none_or(str::is_empty)
    {
        return Err(err(
            "alert/references",
            format!("required for a {msg_type} message"),
        ));
    }
    if let Some(refs) = root.text_of("references") {
        for r in refs.split_whitespace() {
            if r.split(',').count() != 3 {
                return Err(err(
                    "alert/references",
                    format!("{r:?} is not sender,identifier,sent"),
                ));
            }
        }
    }
    for (i, info) in root.all("info").enumerate() {
        let path = format!("alert/info[{}]", i + 1);
        check_order(info, &path, &INFO_ORDER)?;
        let mut categories = info.all("category").peekable();
        if categories.peek().is_none() {
            return Err(err(
                &format!("{path}/category"),
                "required element is missing",
            ));
        }
        for c in categories {
            enumerated(c.text.trim(), &CATEGORY, &format!("{path}/category"))?;
        }
        for r in info.all("responseType") {
            enumerated(r.text.trim(), &RESPONSE, &format!("{path}/responseType"))?;
        }
        one(info, &path, "event")?;
        enumerated(
            one(info, &path, "urgency")?,
            &URGENCY,
            &format!("{path}/urgency"),
        )?;
        enumerated(
            one(info, &path, "severity")?,
            &SEVERITY,
            &format!("{path}/severity"),
        )?;
        enumerated(
            one(info, &path, "certainty")?,
            &CERTAINTY,
            &format!("{path}/certainty"),
        )?;
        for name in ["effective", "onset", "expires"] {
            if let Some(t) = at_most_one(info, &path, name)? {
                check_time(&t).map_err(|m| err(&format!("{path}/{name}"), m))?;
            }
        }
        for name in [
            "language",
            "audience",
            "senderName",
            "headline",
            "description",
            "instruction",
            "web",
            "contact",
        ] {
            at_most_one(info, &path, name)?;
        }
        check_pairs(info, &path, "eventCode")?;
        check_pairs(info, &path, "parameter")?;
        for (j, res) in info.all("resource").enumerate() {
            let path = format!("{path}/resource[{}]", j + 1);
            check_order(res, &path, &RESOURCE_ORDER)?;
            one(res, &path, "resourceDesc")?;
            one(res, &path, "mimeType")?;
            if let Some(size) = at_most_one(res, &path, "size")? {
                size.parse::<u64>()
                    .map_err(|_| err(&format!("{path}/size"), "must be a whole number of bytes"))?;
            }
        }
        for (j, area) in info.all("area").enumerate() {
            let path = format!("{path}/area[{}]", j + 1);
            check_order(area, &path, &AREA_ORDER)?;
            one(area, &path, "areaDesc")?;
            for (k, p) in area.all("polygon").enumerate() {
                // An empty <polygon/> (real feeds send them) says nothing; it is kept as is.
                if !p.text.trim().is_empty() {
                    polygon_points(&p.text, &format!("{path}/polygon[{}]", k + 1))?;
                }
            }
            for (k, c) in area.all("circle").enumerate() {
                circle(&c.text, &format!("{path}/circle[{}]", k + 1))?;
            }
            check_pairs(area, &path, "geocode")?;
            for name in ["altitude", "ceiling"] {
                if let Some(v) = at_most_one(area, &path, name)? {
                    v.parse::<f64>()
                        .map_err(|_| err(&format!("{path}/{name}"), "must be a number"))?;
                }
            }
            if area.child("ceiling").is_some() && area.child("altitude").is_none() {
                return Err(err(&format!("{path}/ceiling"), "needs an altitude"));
            }
        }
    }
    Ok(())
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Recursive, one frame per level: trees come from `parse_tree`, which refuses nesting deeper
/// than `MAX_DEPTH` (16), so this never goes deeper than that whatever the operator sent.
fn write_node(out: &mut String, n: &Node, depth: usize, order: Option<&[&str]>) {
    debug_assert!(depth < MAX_DEPTH, "parse_tree caps the depth");
    let pad = "  ".repeat(depth);
    let qname = n.name.clone();
    out.push_str(&pad);
    out.push('<');
    // Elements of other namespaces keep their prefix and declarations as they came.
    let prefixed = (!n.is_cap())
        .then(|| {
            n.attrs
                .iter()
                .find(|(k, v)| k.starts_with("xmlns:") && Some(v) == n.ns.as_ref())
                .and_then(|(k, _)| k.strip_prefix("xmlns:"))
                .map(|p| format!("{p}:{qname}"))
        })
        .flatten()
        .unwrap_or_else(|| qname.clone());
    out.push_str(&prefixed);
    for (k, v) in &n.attrs {
        if n.is_cap() && (k == "xmlns" || k.starts_with("xmlns:")) {
            continue;
        }
        out.push_str(&format!(" {k}=\"{}\"", escape(v)));
    }
    if n.children.is_empty() {
        if n.text.is_empty() {
            out.push_str("/>\n");
        } else {
            out.push('>');
            out.push_str(&escape(&n.text));
            out.push_str(&format!("</{prefixed}>\n"));
        }
        return;
    }
    out.push_str(">\n");
    let mut children: Vec<&Node> = n.children.iter().collect();
    if let Some(order) = order {
        children.sort_by_key(|c| {
            if c.is_cap() {
                order
                    .iter()
                    .position(|o| *o == c.name)
                    .unwrap_or(order.len())
            } else {
                order.len() + 1
            }
        });
    }
    for c in children {
        let child_order: Option<&[&str]> = match (c.is_cap(), c.name.as_str()) {
            (true, "info") => Some(&INFO_ORDER),
            (true, "resource") => Some(&RESOURCE_ORDER),
            (true, "area") => Some(&AREA_ORDER),
            (true, "eventCode" | "parameter" | "geocode") => Some(&PAIR_ORDER),
            _ => None,
        };
        write_node(out, c, depth + 1, child_order);
    }
    out.push_str(&format!("{pad}</{prefixed}>\n"));
}

/// Writes a checked alert as CAP 1.2 XML, elements in the schema's order.
pub fn to_xml(root: &Node) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut body = String::new();
    write_node(&mut body, root, 0, Some(&ALERT_ORDER));
    // The CAP namespace as the default namespace of the root.
    let body = body.replacen("<alert", &format!("<alert xmlns=\"{CAP_NS}\""), 1);
    out.push_str(&body);
    out
}

/// The fields hues keeps about an alert, read from a checked tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub identifier: String,
    pub sender: String,
    pub sent: String,
    pub status: String,
    pub msg_type: String,
    /// (sender, identifier, sent) of each alert this one updates or cancels.
    pub references: Vec<(String, String, String)>,
}

pub fn summary(root: &Node) -> Summary {
    let t = |n: &str| root.text_of(n).unwrap_or_default().to_owned();
    Summary {
        identifier: t("identifier"),
        sender: t("sender"),
        sent: t("sent"),
        status: t("status"),
        msg_type: t("msgType"),
        references: root
            .text_of("references")
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|r| {
                let mut p = r.split(',');
                Some((p.next()?.into(), p.next()?.into(), p.next()?.into()))
            })
            .collect(),
    }
}

/// What the app needs of a checked alert.
pub fn record(root: &Node, state: &str) -> hues_wire::api::AlertRecord {
    use hues_wire::api::{AlertArea, AlertInfo, AlertRecord};
    let t = |n: &Node, name: &str| n.text_of(name).unwrap_or_default().to_owned();
    AlertRecord {
        identifier: t(root, "identifier"),
        sender: t(root, "sender"),
        sent: t(root, "sent"),
        status: t(root, "status"),
        msg_type: t(root, "msgType"),
        state: state.to_owned(),
        infos: root
            .all("info")
            .map(|info| AlertInfo {
                language: info.text_of("language").unwrap_or("en-US").to_owned(),
                event: t(info, "event"),
                urgency: t(info, "urgency"),
                severity: t(info, "severity"),
                certainty: t(info, "certainty"),
                sender_name: t(info, "senderName"),
                headline: t(info, "headline"),
                description: t(info, "description"),
                instruction: t(info, "instruction"),
                effective: info.text_of("effective").map(str::to_owned),
                expires: info.text_of("expires").map(str::to_owned),
                areas: info
                    .all("area")
                    .map(|a| AlertArea {
                        description: t(a, "areaDesc"),
                        polygons: a
                            .all("polygon")
                            .filter_map(|p| polygon_points(&p.text, "").ok())
                            .collect(),
                        circles: a
                            .all("circle")
                            .filter_map(|c| circle(&c.text, "").ok())
                            .map(|((lat, lon), r)| (lat, lon, r))
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> Vec<(String, String)> {
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        let dir = std::path::Path::new(&dir).join("../../tests/fixtures/cap12");
        let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "xml"))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).expect("read"),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Whitespace between elements is not content; the CAP namespace is in `ns` (a 1.1 document
    /// comes out as 1.2, on purpose).
    fn normalized(mut n: Node) -> Node {
        if !n.children.is_empty() {
            n.text.clear();
        }
        n.attrs
            .retain(|(k, v)| !(k == "xmlns" && v.starts_with("urn:oasis:names:tc:emergency:cap:")));
        n.children = n.children.into_iter().map(normalized).collect();
        n
    }

    #[test]
    fn the_specification_examples_and_real_alerts_round_trip_and_validate_against_the_xsd() {
        let all = fixtures();
        assert!(all.len() >= 7, "{} fixtures", all.len());
        let dir = tempfile::tempdir().expect("tempdir");
        let xsd = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("dir"))
            .join("../../tests/fixtures/cap12/cap12.xsd");
        for (name, xml) in all {
            let tree = parse_tree(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
            validate(&tree).unwrap_or_else(|e| panic!("{name}: {e}"));
            let out = to_xml(&tree);
            let again = parse_tree(&out).unwrap_or_else(|e| panic!("{name} rewritten: {e}"));
            assert_eq!(
                normalized(again),
                normalized(tree),
                "{name}: a field changed"
            );
            let file = dir.path().join(&name);
            std::fs::write(&file, &out).expect("write");
            let lint = std::process::Command::new("xmllint")
                .args(["--noout", "--schema"])
                .arg(&xsd)
                .arg(&file)
                .output()
                .expect("xmllint (apt: libxml2-utils)");
            assert!(
                lint.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&lint.stderr)
            );
        }
    }

    const GOOD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>HUE-FLOOD-1</identifier>
  <sender>pccc@hue.gov.vn</sender>
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
    <expires>2026-11-23T14:00:00+07:00</expires>
    <headline>Cảnh báo lũ</headline>
    <area>
      <areaDesc>Ven sông Hương</areaDesc>
      <polygon>16.47,107.55 16.48,107.60 16.45,107.61 16.47,107.55</polygon>
      <circle>16.46,107.59 2.5</circle>
    </area>
  </info>
</alert>"#;

    #[test]
    fn malformed_alerts_are_refused_with_the_path_of_the_fault() {
        validate(&parse_tree(GOOD).expect("parse")).expect("the good one is good");
        let cases: [(&str, &str, &str); 24] = [
            (
                "<identifier>HUE-FLOOD-1</identifier>",
                "",
                "alert/identifier",
            ),
            (
                "<identifier>HUE-FLOOD-1</identifier>",
                "<identifier>HUE FLOOD</identifier>",
                "alert/identifier",
            ),
            ("<sender>pccc@hue.gov.vn</sender>", "", "alert/sender"),
            (
                "2026-11-21T14:00:00+07:00",
                "2026-11-21T14:00:00Z",
                "alert/sent",
            ),
            (
                "2026-11-21T14:00:00+07:00",
                "21/11/2026 14:00",
                "alert/sent",
            ),
            (
                "<status>Actual</status>",
                "<status>Real</status>",
                "alert/status",
            ),
            (
                "<msgType>Alert</msgType>",
                "<msgType>Warning</msgType>",
                "alert/msgType",
            ),
            (
                "<msgType>Alert</msgType>",
                "<msgType>Cancel</msgType>",
                "alert/references",
            ),
            (
                "<scope>Public</scope>",
                "<scope>Restricted</scope>",
                "alert/restriction",
            ),
            (
                "<scope>Public</scope>",
                "<scope>Everyone</scope>",
                "alert/scope",
            ),
            (
                "<category>Met</category>",
                "<category>Weather</category>",
                "alert/info[1]/category",
            ),
            ("<category>Met</category>", "", "alert/info[1]/category"),
            (
                "<event>Lũ trên sông Hương</event>",
                "",
                "alert/info[1]/event",
            ),
            (
                "<urgency>Expected</urgency>",
                "<urgency>Soon</urgency>",
                "alert/info[1]/urgency",
            ),
            (
                "<severity>Severe</severity>",
                "<severity>Terrible</severity>",
                "alert/info[1]/severity",
            ),
            (
                "<certainty>Likely</certainty>",
                "<certainty>Sure</certainty>",
                "alert/info[1]/certainty",
            ),
            (
                "<expires>2026-11-23T14:00:00+07:00</expires>",
                "<expires>2026-11-23</expires>",
                "alert/info[1]/expires",
            ),
            (
                "16.47,107.55 16.48,107.60 16.45,107.61 16.47,107.55",
                "16.47,107.55 16.48,107.60 16.45,107.61 16.40,107.55",
                "alert/info[1]/area[1]/polygon[1]",
            ),
            (
                "16.47,107.55 16.48,107.60 16.45,107.61 16.47,107.55",
                "16.47,107.55 16.48,107.60 16.47,107.55",
                "alert/info[1]/area[1]/polygon[1]",
            ),
            (
                "16.47,107.55 16.48,107.60 16.45,107.61 16.47,107.55",
                "96.47,107.55 16.48,107.60 16.45,107.61 96.47,107.55",
                "alert/info[1]/area[1]/polygon[1]",
            ),
            (
                "<circle>16.46,107.59 2.5</circle>",
                "<circle>16.46,107.59</circle>",
                "alert/info[1]/area[1]/circle[1]",
            ),
            (
                "<circle>16.46,107.59 2.5</circle>",
                "<circle>16.46,107.59 -1</circle>",
                "alert/info[1]/area[1]/circle[1]",
            ),
            (
                "<areaDesc>Ven sông Hương</areaDesc>",
                "",
                "alert/info[1]/area[1]/areaDesc",
            ),
            (
                "<scope>Public</scope>",
                "<scope>Public</scope><colour>red</colour>",
                "alert/colour",
            ),
        ];
        for (from, to, path) in cases {
            let xml = GOOD.replacen(from, to, 1);
            assert_ne!(xml, GOOD, "{from} changed");
            let e = parse_tree(&xml)
                .and_then(|t| validate(&t))
                .expect_err(&format!("{to:?} must be refused"));
            assert_eq!(e.path, path, "{to:?}: {e}");
            assert!(!e.message.is_empty());
        }
        // Not XML at all, and the wrong root.
        assert!(parse_tree("<alert><identifier>x</alert>").is_err());
        let wrong =
            parse_tree("<alarm xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>").expect("xml");
        assert_eq!(validate(&wrong).expect_err("root").path, "alarm");
    }

    /// `GOOD` with `extra` appended inside `<alert>`.
    fn with(extra: &str) -> String {
        GOOD.replace("</alert>", &format!("{extra}</alert>"))
    }

    fn refused_for(xml: &str, cap: &str) -> CapError {
        let started = std::time::Instant::now();
        let e = parse_tree(xml).expect_err("over a cap");
        assert!(e.message.contains(cap), "{cap}: {e}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{cap}: {:?}",
            started.elapsed()
        );
        e
    }

    #[test]
    fn the_parser_caps_depth_and_writes_back_anything_it_accepts() {
        // The deepest accepted: alert at 1 and an extension nested down to MAX_DEPTH.
        let down = MAX_DEPTH - 1;
        let ext = format!(
            "<e xmlns=\"urn:x\">{}deep{}",
            "<e>".repeat(down - 1),
            "</e>".repeat(down)
        );
        let tree = parse_tree(&with(&ext)).expect("at the cap");
        validate(&tree).expect("extensions are allowed at the end of an alert");
        let out = to_xml(&tree);
        assert!(out.contains("deep"));
        assert_eq!(
            normalized(parse_tree(&out).expect("written back")),
            normalized(tree)
        );
        // One more level is refused, with the path down to it.
        let ext = format!(
            "<e xmlns=\"urn:x\">{}{}",
            "<e>".repeat(down),
            "</e>".repeat(down + 1)
        );
        let e = refused_for(&with(&ext), "depth cap");
        assert_eq!(e.path.split('/').count(), MAX_DEPTH + 1, "{e}");
        assert!(e.path.starts_with("alert/e/e"), "{e}");
        // 100,000 levels: refused at the 17th, not after reading them all.
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        refused_for(&deep, "depth cap");
    }

    #[test]
    fn the_parser_caps_attributes_namespaces_elements_and_size() {
        let attrs: String = (0..=MAX_ATTRIBUTES)
            .map(|i| format!(" a{i}=\"v\""))
            .collect();
        refused_for(
            &with(&format!("<x:e xmlns:x=\"urn:x\"{attrs}/>")),
            "attribute cap",
        );
        let attrs: String = (0..50_000).map(|i| format!(" a{i}=\"v\"")).collect();
        let e = refused_for(
            &with(&format!("<x:e xmlns:x=\"urn:x\"{attrs}/>")),
            "attribute cap",
        );
        assert_eq!(e.path, "alert/e");
        // Duplicates: quick-xml refuses the first repetition.
        let dup = " a=\"v\"".repeat(100_000);
        let e = parse_tree(&with(&format!("<x:e xmlns:x=\"urn:x\"{dup}/>"))).expect_err("dup");
        assert!(e.message.starts_with("bad attribute"), "{e}");
        // Namespaces: MAX_NAMESPACES in all is fine, one more is not.
        let decls = |n: usize| -> String {
            (1..n)
                .map(|i| format!("<p{i}:e xmlns:p{i}=\"urn:x:{i}\"/>"))
                .collect()
        };
        parse_tree(&with(&decls(MAX_NAMESPACES))).expect("the alert's own and 31 more");
        refused_for(&with(&decls(MAX_NAMESPACES + 1)), "namespace cap");
        // Elements.
        let count = GOOD.matches('<').count() - GOOD.matches("</").count() - 1;
        parse_tree(&with(&"<x/>".repeat(MAX_ELEMENTS - count))).expect("at the cap");
        refused_for(
            &with(&"<x/>".repeat(MAX_ELEMENTS - count + 1)),
            "element cap",
        );
        // Size.
        refused_for(
            &with(&format!("<!--{}-->", "x".repeat(MAX_BYTES))),
            "size cap",
        );
    }
}
