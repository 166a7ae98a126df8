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
    L.tileLayer("/tiles/{z}/{x}/{y}", { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
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
  function init() { selectAll(); drawMap(); }
  document.addEventListener("DOMContentLoaded", init);
  // After a live reload of the queue (htmx), wire the new content again.
  document.addEventListener("htmx:afterSettle", init);
})();
