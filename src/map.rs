//! The map (Leaflet, bundled locally) and the device's position (the webview's geolocation),
//! through the small glue in `assets/map.js`. Outside the webview (SSR tests) the map is its
//! labelled container and no position is ever available; every map task can also be done from
//! the list or the fields next to it.

use dioxus::prelude::*;
use serde::Serialize;

/// A marker on the map: a symbol and a class (colour) for the eye, a title for everyone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapMarker {
    pub id: String,
    pub lat: f64,
    pub lon: f64,
    pub symbol: String,
    pub cls: String,
    pub title: String,
}

/// Areas drawn on a map: polygons of (latitude, longitude) and circles (latitude, longitude, km).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shapes {
    pub polygons: Vec<Vec<(f64, f64)>>,
    pub circles: Vec<(f64, f64, f64)>,
}

/// Translated texts and settings of a map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapTexts {
    pub zoom_in: String,
    pub zoom_out: String,
    pub pin_label: String,
    pub offline_text: String,
    pub attribution: String,
    pub me_label: String,
}

/// A position from the device, with its accuracy (metres).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: f64,
}

/// Why the device gave no position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixError {
    Unsupported,
    Denied,
    Unavailable,
    Timeout,
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = huesMap, js_name = mount)]
        pub fn mount(id: &str, opts: &str, on_pick: &JsValue, on_select: &JsValue) -> bool;
        #[wasm_bindgen(js_namespace = huesMap, js_name = setMarkers)]
        pub fn set_markers(id: &str, json: &str);
        #[wasm_bindgen(js_namespace = huesMap, js_name = setPin)]
        pub fn set_pin(id: &str, lat: f64, lon: f64);
        #[wasm_bindgen(js_namespace = huesMap, js_name = setShapes)]
        pub fn set_shapes(id: &str, json: &str);
        #[wasm_bindgen(js_namespace = huesMap, js_name = setMe)]
        pub fn set_me(id: &str, lat: f64, lon: f64);
        #[wasm_bindgen(js_namespace = huesMap, js_name = setView)]
        pub fn set_view(id: &str, lat: f64, lon: f64, zoom: u8);
        #[wasm_bindgen(js_namespace = huesMap, js_name = viewOf)]
        pub fn view_of(id: &str) -> String;
        #[wasm_bindgen(js_namespace = huesMap, js_name = unmount)]
        pub fn unmount(id: &str);
        #[wasm_bindgen(js_namespace = huesMap, js_name = locate, catch)]
        pub async fn locate(timeout_ms: u32) -> Result<JsValue, JsValue>;
    }
}

/// Asks the device where it is (at most `timeout_ms`): the native geolocation plugin where the
/// app has one (phones), else the webview's geolocation.
#[cfg(target_arch = "wasm32")]
pub async fn locate(timeout_ms: u32) -> Result<Fix, FixError> {
    use wasm_bindgen::JsValue;
    match crate::bridge::native_position().await {
        Some(Ok((latitude, longitude, accuracy_m))) => {
            return Ok(Fix {
                latitude,
                longitude,
                accuracy_m,
            });
        }
        Some(Err(e)) if e.contains("denied") => return Err(FixError::Denied),
        // The plugin failed: the webview may still know.
        Some(Err(_)) | None => {}
    }
    let get = |v: &JsValue, k: &str| {
        js_sys::Reflect::get(v, &JsValue::from_str(k))
            .ok()
            .and_then(|x| x.as_f64())
    };
    match js::locate(timeout_ms).await {
        Ok(v) => match (
            get(&v, "latitude"),
            get(&v, "longitude"),
            get(&v, "accuracy"),
        ) {
            (Some(latitude), Some(longitude), Some(accuracy_m)) => Ok(Fix {
                latitude,
                longitude,
                accuracy_m,
            }),
            _ => Err(FixError::Unavailable),
        },
        Err(e) => Err(match e.as_string().as_deref() {
            Some("unsupported") => FixError::Unsupported,
            Some("denied") => FixError::Denied,
            Some("timeout") => FixError::Timeout,
            _ => FixError::Unavailable,
        }),
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn locate(_timeout_ms: u32) -> Result<Fix, FixError> {
    Err(FixError::Unsupported)
}

#[cfg(target_arch = "wasm32")]
#[derive(Serialize)]
struct Options<'a> {
    lat: f64,
    lon: f64,
    zoom: u8,
    /// Base URL of the app's `tile:` scheme; empty for no tiles.
    tiles: String,
    pin: Option<(f64, f64)>,
    cluster: bool,
    #[serde(flatten)]
    texts: &'a MapTexts,
}

/// A Leaflet map in a labelled region. `on_pick` makes it a pin picker (tap to drop, drag to
/// move); `on_select` is called with a marker's id when it is chosen.
#[component]
pub fn LeafletMap(
    id: String,
    label: String,
    centre: (f64, f64),
    zoom: u8,
    texts: MapTexts,
    #[props(default)] markers: Vec<MapMarker>,
    #[props(default)] pin: Option<(f64, f64)>,
    #[props(default)] cluster: bool,
    /// The citizen's own position, shown as a dot.
    #[props(default)]
    me: Option<(f64, f64)>,
    /// Areas to draw (an alert's): the view fits them.
    #[props(default)]
    shapes: Option<Shapes>,
    on_pick: Option<EventHandler<(f64, f64)>>,
    on_select: Option<EventHandler<String>>,
) -> Element {
    #[cfg(target_arch = "wasm32")]
    {
        use std::cell::RefCell;
        use std::rc::Rc;
        use wasm_bindgen::JsValue;
        use wasm_bindgen::closure::Closure;

        type Pick = Closure<dyn FnMut(f64, f64)>;
        type Select = Closure<dyn FnMut(String)>;
        // The JS callbacks live as long as the map.
        let callbacks = use_hook(|| Rc::new(RefCell::new(None::<(Option<Pick>, Option<Select>)>)));
        {
            let (id, callbacks) = (id.clone(), callbacks.clone());
            use_drop(move || {
                js::unmount(&id);
                callbacks.borrow_mut().take();
            });
        }
        {
            let id = id.clone();
            use_effect(use_reactive((&markers,), move |(markers,)| {
                if let Ok(json) = serde_json::to_string(&markers) {
                    js::set_markers(&id, &json);
                }
            }));
        }
        {
            let id = id.clone();
            use_effect(use_reactive((&me,), move |(me,)| {
                if let Some((lat, lon)) = me {
                    js::set_me(&id, lat, lon);
                }
            }));
        }
        {
            let id = id.clone();
            use_effect(use_reactive((&pin,), move |(pin,)| {
                if let Some((lat, lon)) = pin {
                    js::set_pin(&id, lat, lon);
                }
            }));
        }
        let mount = {
            let (id, texts, markers, shapes) =
                (id.clone(), texts.clone(), markers.clone(), shapes.clone());
            move |_: MountedEvent| {
                let pick = on_pick.map(|h| Pick::new(move |lat, lon| h.call((lat, lon))));
                let select = on_select.map(|h| Select::new(move |id: String| h.call(id)));
                let js_of = |c: Option<&JsValue>| c.cloned().unwrap_or(JsValue::UNDEFINED);
                let opts = Options {
                    lat: pin.map_or(centre.0, |p| p.0),
                    lon: pin.map_or(centre.1, |p| p.1),
                    zoom,
                    tiles: crate::bridge::scheme_url("tile", ""),
                    pin,
                    cluster,
                    texts: &texts,
                };
                let Ok(opts) = serde_json::to_string(&opts) else {
                    return;
                };
                js::mount(
                    &id,
                    &opts,
                    &js_of(pick.as_ref().map(|c| c.as_ref())),
                    &js_of(select.as_ref().map(|c| c.as_ref())),
                );
                if let Ok(json) = serde_json::to_string(&markers) {
                    js::set_markers(&id, &json);
                }
                if let Some((lat, lon)) = me {
                    js::set_me(&id, lat, lon);
                }
                if let Some(json) = shapes.as_ref().and_then(|s| serde_json::to_string(s).ok()) {
                    js::set_shapes(&id, &json);
                }
                *callbacks.borrow_mut() = Some((pick, select));
            }
        };
        rsx! {
            div { id: "{id}", class: "map", role: "region", aria_label: "{label}", onmounted: mount }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (
            centre, zoom, texts, markers, pin, cluster, me, shapes, on_pick, on_select,
        );
        rsx! {
            div { id: "{id}", class: "map", role: "region", aria_label: "{label}" }
        }
    }
}

/// What a mounted map shows: its box and zoom.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
pub struct MapView {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
    pub zoom: f64,
}

pub fn view_of(id: &str) -> Option<MapView> {
    #[cfg(target_arch = "wasm32")]
    {
        serde_json::from_str(&js::view_of(id)).ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = id;
        None
    }
}

/// Moves a mounted map's view.
pub fn set_view(id: &str, lat: f64, lon: f64, zoom: u8) {
    #[cfg(target_arch = "wasm32")]
    js::set_view(id, lat, lon, zoom);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (id, lat, lon, zoom);
}

/// The map's texts in the given language.
pub fn texts(lang: crate::i18n::Lang) -> MapTexts {
    use crate::i18n::t;
    MapTexts {
        zoom_in: t(lang, "map-zoom-in"),
        zoom_out: t(lang, "map-zoom-out"),
        pin_label: t(lang, "map-pin"),
        offline_text: t(lang, "map-no-tiles"),
        // ODbL: the map's data is OpenStreetMap's (tools/map/README.md).
        attribution: "© OpenStreetMap contributors".into(),
        me_label: t(lang, "map-me"),
    }
}
