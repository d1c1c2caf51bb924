// One identifier's ads in time order: numbered stops joined by a line, coarse places as areas.
import { addBasemap, dayString, el } from "./common.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const L = window.L;
const map = L.map("map", { minZoom: 2, maxZoom: 16 }).setView(config.center, config.zoom);
addBasemap(map, config);

const stops = config.stops;
const coarse = new Set(["region", "area_code", "country"]);
stops.forEach((stop, index) => {
  const label = `${index + 1}. ${stop.posted_at ? dayString(stop.posted_at) : "undated"} · ${stop.name} (${stop.precision_label})`;
  if (coarse.has(stop.precision)) {
    L.circle([stop.lat, stop.lng], { radius: stop.radius_km * 1000, className: `area area-${stop.precision}`, dashArray: "6 6", weight: 1.5, fillOpacity: 0.06, interactive: false }).addTo(map);
  }
  const marker = L.marker([stop.lat, stop.lng], {
    icon: L.divIcon({ html: el("span", {}, [String(index + 1)]), className: `stop stop-${coarse.has(stop.precision) ? "coarse" : "fine"}`, iconSize: L.point(24, 24) }),
    title: label,
    keyboard: true,
  });
  const title = stop.url ? el("a", { href: stop.url }, [stop.title || "(untitled ad)"]) : el("strong", {}, [stop.title || "(untitled ad)"]);
  marker.bindPopup(() => el("div", { class: "popup" }, [title, el("p", { class: "small" }, [label])]));
  marker.addTo(map);
});
if (stops.length > 1) {
  L.polyline(stops.map((s) => [s.lat, s.lng]), { className: "movement-path", weight: 2, dashArray: "4 6", interactive: false }).addTo(map);
}
if (stops.length) {
  map.fitBounds(L.latLngBounds(stops.map((s) => [s.lat, s.lng])).pad(0.3), { maxZoom: 9 });
}
