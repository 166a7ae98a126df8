// The console's own script: progressive enhancement only (every page works without it).
// - "select all" for the queue's bulk actions;
// - the queue's map: the same cases as the list, clustered (Leaflet, bundled), each marker a
//   link to its case; the list stays beside it and is the accessible way to every case.
(function () {
  "use strict";
  function selectAll() {
    var all = document.getElementById("select-all");
    if (!all) return;
    all.addEventListener("change", function () {
      document.querySelectorAll('#queue input[name="id"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }
  function drawMap() {
    var el = document.getElementById("queue-map");
    if (!el || el.dataset.drawn) return;
    if (typeof L === "undefined") { el.textContent = el.dataset.empty || ""; return; }
    el.dataset.drawn = "1";
    var map = L.map(el, { scrollWheelZoom: false });
    // Tiles: the server's own, if it serves any; else markers on a blank background.
    tiles(map);
    var group = L.markerClusterGroup ? L.markerClusterGroup() : L.featureGroup();
    var bounds = [];
    document.querySelectorAll("#queue tbody tr").forEach(function (row) {
      var lat = parseFloat(row.dataset.lat), lon = parseFloat(row.dataset.lon);
      if (isNaN(lat) || isNaN(lon)) return;
      var marker = L.marker([lat, lon], { title: row.dataset.label, alt: row.dataset.label });
      var link = document.createElement("a");
      link.href = row.dataset.href;
      link.textContent = row.dataset.label;
      marker.bindPopup(link);
      group.addLayer(marker);
      bounds.push([lat, lon]);
    });
    map.addLayer(group);
    if (bounds.length) { map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] }); }
    else { map.setView([16.4637, 107.5909], 13); }
  }
  // Redaction: a drag on a case's photo adds the rectangle (in % of the photo) to that photo's
  // form; the same text field can be typed in, so the mouse is never the only way.
  function redaction() {
    document.querySelectorAll("img.redactable").forEach(function (img) {
      var form = document.getElementById(img.dataset.form);
      if (!form || img.dataset.wired) { return; }
      img.dataset.wired = "1";
      var area = form.querySelector("textarea");
      var start = null;
      function at(e) {
        var r = img.getBoundingClientRect();
        return {
          x: Math.min(100, Math.max(0, (e.clientX - r.left) / r.width * 100)),
          y: Math.min(100, Math.max(0, (e.clientY - r.top) / r.height * 100))
        };
      }
      img.addEventListener("dragstart", function (e) { e.preventDefault(); });
      img.addEventListener("mousedown", function (e) { start = at(e); e.preventDefault(); });
      img.addEventListener("mouseup", function (e) {
        if (!start) { return; }
        var end = at(e);
        var l = Math.min(start.x, end.x), t = Math.min(start.y, end.y);
        var w = Math.abs(end.x - start.x), h = Math.abs(end.y - start.y);
        start = null;
        if (w < 1 || h < 1) { return; }
        var line = [l, t, w, h].map(function (v) { return v.toFixed(1); }).join(" ");
        area.value = area.value.replace(/\s+$/, "") + (area.value.trim() ? "\n" : "") + line;
        img.dataset.dragged = "1";
      });
      img.parentElement.addEventListener("click", function (e) {
        if (img.dataset.dragged) { e.preventDefault(); delete img.dataset.dragged; }
      });
    });
  }
  // The warning form's map: each click adds a corner to the polygon field (which can also be
  // typed), and the polygon is drawn as it grows.
  function warningMap() {
    var el = document.getElementById("warning-map");
    var field = document.getElementById("polygon");
    if (!el || !field || !window.L || el.dataset.wired) { return; }
    el.dataset.wired = "1";
    var map = L.map(el).setView([16.4637, 107.5909], 12);
    tiles(map);
    var shape = L.polygon([], { color: "#b00020" }).addTo(map);
    function points() {
      return field.value.trim().split(/\s+/).filter(Boolean).map(function (p) {
        var v = p.split(",").map(Number);
        return [v[0], v[1]];
      }).filter(function (p) { return isFinite(p[0]) && isFinite(p[1]); });
    }
    function redraw() { shape.setLatLngs(points()); }
    map.on("click", function (e) {
      var p = e.latlng.lat.toFixed(5) + "," + e.latlng.lng.toFixed(5);
      field.value = (field.value.trim() ? field.value.trim() + " " : "") + p;
      redraw();
    });
    field.addEventListener("input", redraw);
    redraw();
  }
  // A case's position, on a map beside the coordinates written out.
  function caseMap() {
    var el = document.getElementById("case-map");
    if (!el || !window.L || el.dataset.wired) { return; }
    el.dataset.wired = "1";
    var at = [Number(el.dataset.lat), Number(el.dataset.lon)];
    var map = L.map(el, { keyboard: false }).setView(at, 17);
    tiles(map);
    L.marker(at, { title: el.getAttribute("aria-label") }).addTo(map);
  }
  // The server's own tiles (its MBTiles), never another origin's.
  function tiles(map) {
    // No "Leaflet" link in the corner: a link inside the map's text that axe flags.
    map.attributionControl.setPrefix(false);
    L.tileLayer("/tiles/{z}/{x}/{y}", {
      maxZoom: 18,
      // The base map is drawn to zoom 16 (tools/map); closer, its tiles are enlarged.
      maxNativeZoom: 16,
      attribution: "© OpenStreetMap contributors",
    }).addTo(map);
  }
  function init() { selectAll(); drawMap(); redaction(); warningMap(); caseMap(); }
  document.addEventListener("DOMContentLoaded", init);
  // After a live reload of the queue (htmx), wire the new content again.
  document.addEventListener("htmx:afterSettle", init);
})();
