// Glue between the Rust UI (src/map.rs) and Leaflet (bundled in vendor/leaflet), and the
// webview's geolocation. Every map is keyed by the id of its container element.
//
// Leaflet and its clusters load when the first map is mounted, not with the app: screens without
// a map (Home among them) start without them. Calls for a map made while they load wait and are
// replayed, in order, once it is mounted.
(function () {
  "use strict";
  const maps = new Map();
  const waiting = new Map();
  let leaflet = null;

  function loadLeaflet() {
    if (typeof L !== "undefined") return Promise.resolve();
    if (leaflet) return leaflet;
    const first = document.head.firstChild;
    for (const href of [
      "./vendor/leaflet/leaflet.css",
      "./vendor/markercluster/MarkerCluster.css",
      "./vendor/markercluster/MarkerCluster.Default.css",
    ]) {
      // Before the app's own stylesheet, which may refine Leaflet's look.
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      document.head.insertBefore(link, first);
    }
    const script = (src) => new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(s);
    });
    leaflet = script("./vendor/leaflet/leaflet.js")
      .then(() => script("./vendor/markercluster/leaflet.markercluster.js"));
    leaflet.catch(() => { leaflet = null; });
    return leaflet;
  }

  // Never throws into the caller (a JS exception inside a wasm import would stop the UI): a map
  // that cannot be made says so in the console and the list beside it still works.
  function mount(id, optsJson, onPick, onSelect) {
    const now = () => {
      try {
        return mountOrThrow(id, optsJson, onPick, onSelect);
      } catch (e) {
        console.error("map " + id + ": " + e);
        return false;
      }
    };
    if (typeof L !== "undefined") return now();
    const calls = [];
    waiting.set(id, calls);
    loadLeaflet().then(() => {
      // Unmounted, or mounted again, while Leaflet loaded.
      if (waiting.get(id) !== calls) return;
      waiting.delete(id);
      if (now()) for (const [f, args] of calls) f(...args);
    }, (e) => {
      console.error("map " + id + ": " + e);
      if (waiting.get(id) === calls) waiting.delete(id);
    });
    return true;
  }

  function mountOrThrow(id, optsJson, onPick, onSelect) {
    const el = document.getElementById(id);
    if (!el || typeof L === "undefined") return false;
    unmount(id);
    const o = JSON.parse(optsJson);
    const map = L.map(el, {
      center: [o.lat, o.lon],
      zoom: o.zoom,
      minZoom: 3,
      // Clustering needs the map's own maximum (there may be no tile layer to give one).
      maxZoom: 19,
      zoomControl: false,
      attributionControl: true,
    });
    L.control.zoom({ zoomInTitle: o.zoom_in, zoomOutTitle: o.zoom_out }).addTo(map);
    map.attributionControl.setPrefix(false);
    // Many markers (places) are grouped into numbered clusters that open as you zoom in.
    const markers = o.cluster && L.markerClusterGroup
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 })
      : L.layerGroup();
    const entry = { map, markers: markers.addTo(map), pin: null, o, onPick, onSelect };
    if (o.tiles) {
      const layer = L.tileLayer(o.tiles + "{z}/{x}/{y}", {
        maxZoom: 19,
        // The city server's map is drawn to zoom 16 (tools/map); closer, its tiles are enlarged.
        maxNativeZoom: 16,
        attribution: o.attribution,
      });
      // No tiles (offline, no server): the plain background stays, with a word on why.
      const note = L.DomUtil.create("p", "map-offline-note", el);
      note.setAttribute("role", "status");
      note.hidden = true;
      note.textContent = o.offline_text;
      layer.on("tileerror", () => { note.hidden = false; el.dataset.tiles = "none"; });
      layer.on("tileload", () => { note.hidden = true; el.dataset.tiles = "ok"; });
      layer.addTo(map);
    }
    if (onPick) {
      map.on("click", (e) => {
        setPin(id, e.latlng.lat, e.latlng.lng);
        onPick(e.latlng.lat, e.latlng.lng);
      });
    }
    if (o.pin) setPin(id, o.pin[0], o.pin[1]);
    maps.set(id, entry);
    // The container may get its size after this call.
    setTimeout(() => map.invalidateSize(), 0);
    return true;
  }

  function setPin(id, lat, lon) {
    const entry = maps.get(id);
    if (!entry) return;
    // Keep the pin in sight when it moves from outside (device position, typed coordinates).
    if (!entry.map.getBounds().contains([lat, lon])) entry.map.panTo([lat, lon]);
    if (entry.pin) {
      entry.pin.setLatLng([lat, lon]);
      return;
    }
    const pin = L.marker([lat, lon], {
      draggable: !!entry.onPick,
      keyboard: true,
      title: entry.o.pin_label,
      alt: entry.o.pin_label,
    }).addTo(entry.map);
    if (entry.onPick) {
      pin.on("dragend", () => {
        const p = pin.getLatLng();
        entry.onPick(p.lat, p.lng);
      });
    }
    entry.pin = pin;
  }

  // markers: [{id, lat, lon, symbol, cls, title}]
  function setMarkers(id, json) {
    try {
      setMarkersOrThrow(id, json);
    } catch (e) {
      console.error("map " + id + ": " + e);
    }
  }

  function setMarkersOrThrow(id, json) {
    const entry = maps.get(id);
    if (!entry) return;
    entry.markers.clearLayers();
    for (const m of JSON.parse(json)) {
      const symbol = String(m.symbol).replace(/[<>&"']/g, "");
      const icon = L.divIcon({
        className: "map-marker " + m.cls,
        html: '<span aria-hidden="true">' + symbol + "</span>",
        iconSize: [30, 30],
      });
      const marker = L.marker([m.lat, m.lon], { icon, title: m.title, alt: m.title, keyboard: true });
      marker.on("add", () => {
        const e = marker.getElement();
        if (e) {
          e.setAttribute("aria-label", m.title);
          e.dataset.id = m.id;
        }
      });
      if (entry.onSelect) marker.on("click", () => entry.onSelect(m.id));
      marker.addTo(entry.markers);
    }
  }

  // An alert's area: polygons ([[lat, lon], …]) and circles ([lat, lon, km]); the view fits them.
  function setShapes(id, json) {
    const entry = maps.get(id);
    if (!entry) return;
    if (entry.shapes) entry.shapes.remove();
    const s = JSON.parse(json);
    const group = L.featureGroup();
    for (const ring of s.polygons) L.polygon(ring, { color: "#a31d1d", weight: 2, fillOpacity: 0.2 }).addTo(group);
    for (const c of s.circles) L.circle([c[0], c[1]], { radius: c[2] * 1000, color: "#a31d1d", weight: 2, fillOpacity: 0.2 }).addTo(group);
    group.addTo(entry.map);
    entry.shapes = group;
    const b = group.getBounds();
    if (b.isValid()) entry.map.fitBounds(b, { padding: [12, 12] });
  }

  // The citizen's own position: a dot with a ring, named for screen readers and on hover.
  function setMe(id, lat, lon) {
    const entry = maps.get(id);
    if (!entry) return;
    if (entry.me) {
      entry.me.setLatLng([lat, lon]);
      return;
    }
    const icon = L.divIcon({ className: "me-marker", html: '<span aria-hidden="true"></span>', iconSize: [18, 18] });
    entry.me = L.marker([lat, lon], { icon, title: entry.o.me_label, alt: entry.o.me_label, keyboard: false, interactive: false }).addTo(entry.map);
  }

  function setView(id, lat, lon, zoom) {
    const entry = maps.get(id);
    if (entry) entry.map.setView([lat, lon], zoom);
  }

  // The visible box and zoom, as JSON {min_lat, max_lat, min_lon, max_lon, zoom}, or "".
  function viewOf(id) {
    const entry = maps.get(id);
    if (!entry) return "";
    const b = entry.map.getBounds();
    return JSON.stringify({
      min_lat: b.getSouth(), max_lat: b.getNorth(), min_lon: b.getWest(), max_lon: b.getEast(),
      zoom: entry.map.getZoom(),
    });
  }

  function unmount(id) {
    waiting.delete(id);
    const entry = maps.get(id);
    if (entry) {
      entry.map.remove();
      maps.delete(id);
    }
  }

  // The device's position: {latitude, longitude, accuracy} or a rejection with
  // "unsupported" | "denied" | "unavailable" | "timeout".
  function locate(timeoutMs) {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) return reject("unsupported");
      const names = { 1: "denied", 2: "unavailable", 3: "timeout" };
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }),
        (e) => reject(names[e.code] || "unavailable"),
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 },
      );
    });
  }

  // Every entry point is guarded: an exception must not cross into the wasm caller. A call for
  // a map still waiting for Leaflet waits with it.
  const guard = (name, f, fallback) => (...args) => {
    const calls = waiting.get(args[0]);
    if (calls && f !== unmount) {
      calls.push([f, args]);
      return fallback;
    }
    try {
      return f(...args);
    } catch (e) {
      console.error("huesMap." + name + ": " + e);
      return fallback;
    }
  };
  window.huesMap = {
    mount,
    setMarkers: guard("setMarkers", setMarkers),
    setPin: guard("setPin", setPin),
    setView: guard("setView", setView),
    setMe: guard("setMe", setMe),
    setShapes: guard("setShapes", setShapes),
    viewOf: guard("viewOf", viewOf, ""),
    unmount: guard("unmount", unmount),
    locate,
  };
})();
