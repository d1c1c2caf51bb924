// Shared by the map pages: DOM building without innerHTML, the offline basemap, date formatting.

// Build an element; children are nodes or strings (strings become text nodes, never markup).
export function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

export function dayString(value) {
  const date = typeof value === "number" ? new Date(value) : new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 10);
}

// The colour band of a risk; the edges come from the server (maps.views.PIN_RISK_BANDS).
export function riskBand(risk, bands) {
  if (risk === null || risk === undefined) return "none";
  if (risk >= bands.high) return "high";
  if (risk >= bands.mid) return "mid";
  return "low";
}

// A tile server when one is configured (MAP_TILES_URL); otherwise the bundled outlines (US
// states and world countries, generated from us-atlas and world-atlas) over a graticule, so the
// map works on a closed network with no tiles at all.
export function addBasemap(map, config) {
  const L = window.L;
  if (config.tilesUrl) {
    L.tileLayer(config.tilesUrl, { maxZoom: 18 }).addTo(map);
    return;
  }
  map.createPane("basemap");
  const lines = [];
  for (let lat = -80; lat <= 80; lat += 10) lines.push([[lat, -180], [lat, 180]]);
  for (let lng = -180; lng <= 180; lng += 10) lines.push([[-85, lng], [85, lng]]);
  L.polyline(lines, { pane: "basemap", className: "graticule", interactive: false, weight: 0.5 }).addTo(map);
  fetch(config.basemapUrl)
    .then((response) => (response.ok ? response.json() : null))
    .then((geojson) => {
      if (!geojson) return;
      L.geoJSON(geojson, {
        pane: "basemap",
        interactive: false,
        style: (feature) => ({ className: `basemap-${feature.properties.layer}`, weight: feature.properties.layer === "states" ? 0.8 : 1 }),
      }).addTo(map);
    })
    .catch(() => {});
}
