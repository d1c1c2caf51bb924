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
// states and world countries, generated from us-atlas and world-atlas) over a graticule, and the
// offline place labels of maps:places (cities, states and neighbourhoods from the gazetteer, at
// the zooms where they are readable), so the map works on a closed network with no tiles at all.
export function addBasemap(map, config) {
  const L = window.L;
  if (config.tilesUrl) {
    L.tileLayer(config.tilesUrl, { maxZoom: 18, attribution: config.tilesAttribution || "" }).addTo(map);
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
  if (config.placesUrl) addPlaceLabels(map, config.placesUrl);
}

// Place names under the ads: a pane below the markers that takes no clicks, refreshed for each
// view; a newer view cancels the request of an older one.
function addPlaceLabels(map, url) {
  const L = window.L;
  const pane = map.createPane("place-labels");
  pane.style.pointerEvents = "none";
  const layer = L.layerGroup().addTo(map);
  let pending = null;
  const refresh = () => {
    if (pending) pending.abort();
    pending = new AbortController();
    const b = map.getBounds();
    const query = new URLSearchParams({
      south: b.getSouth().toFixed(4),
      west: b.getWest().toFixed(4),
      north: b.getNorth().toFixed(4),
      east: b.getEast().toFixed(4),
      zoom: String(map.getZoom()),
    });
    fetch(`${url}?${query}`, { signal: pending.signal, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data) return;
        layer.clearLayers();
        for (const place of data.places) {
          const icon = L.divIcon({
            className: `place-label place-${place.kind}`,
            html: el("span", {}, [place.name]),
            iconSize: null,
          });
          L.marker([place.lat, place.lng], { icon, pane: "place-labels", interactive: false, keyboard: false }).addTo(layer);
        }
        map.getContainer().dataset.placeLabels = String(data.places.length);
      })
      .catch(() => {});
  };
  map.on("moveend", refresh);
  refresh();
}
