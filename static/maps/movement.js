// One identifier's ads in time order: numbered stops joined by a line, coarse places as areas.
import { addBasemap, dayString, el } from "./common.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const L = window.L;
const map = L.map("map", { minZoom: 2, maxZoom: 16 }).setView(config.center, config.zoom);
addBasemap(map, config);

const stops = config.stops;
const coarse = new Set(["region", "area_code", "country"]);
const stopLabel = (stop, index) => `${index + 1}. ${stop.posted_at ? dayString(stop.posted_at) : "undated"} · ${stop.name} (${stop.precision_label})`;
// Each stop's layers (its marker, and its area when the place is coarse), shown or hidden by the
// time slider; the line joins the stops shown so far.
const layers = stops.map((stop, index) => {
  const label = stopLabel(stop, index);
  const group = L.layerGroup();
  if (coarse.has(stop.precision)) {
    L.circle([stop.lat, stop.lng], { radius: stop.radius_km * 1000, className: `area area-${stop.precision}`, dashArray: "6 6", weight: 1.5, fillOpacity: 0.06, interactive: false }).addTo(group);
  }
  const marker = L.marker([stop.lat, stop.lng], {
    icon: L.divIcon({ html: el("span", {}, [String(index + 1)]), className: `stop stop-${coarse.has(stop.precision) ? "coarse" : "fine"}`, iconSize: L.point(24, 24) }),
    title: label,
    keyboard: true,
  });
  const title = stop.url ? el("a", { href: stop.url }, [stop.title || "(untitled ad)"]) : el("strong", {}, [stop.title || "(untitled ad)"]);
  marker.bindPopup(() => el("div", { class: "popup" }, [title, el("p", { class: "small" }, [label])]));
  marker.addTo(group);
  return { group, marker };
});
const path = L.polyline([], { className: "movement-path", weight: 2, dashArray: "4 6", interactive: false }).addTo(map);

function showUpTo(count) {
  layers.forEach(({ group, marker }, index) => {
    if (index < count) group.addTo(map);
    else group.remove();
    const icon = marker.getElement();
    if (icon) icon.classList.toggle("stop-current", index === count - 1 && count < stops.length);
  });
  path.setLatLngs(stops.slice(0, count).map((s) => [s.lat, s.lng]));
  document.getElementById("map").dataset.shown = String(count);
  for (const row of document.querySelectorAll("#movement-rows tr[data-stop]")) {
    row.classList.toggle("stop-later", Number(row.dataset.stop) > count);
  }
}

const slider = document.getElementById("m-slider");
const sliderLabel = document.getElementById("m-label");
const playButton = document.getElementById("m-play");
if (slider && stops.length > 1) {
  const update = () => {
    const count = Number(slider.value);
    showUpTo(count);
    sliderLabel.textContent = count === stops.length ? `all ${stops.length} stops` : `${count} of ${stops.length} stops, the last posted ${stops[count - 1].posted_at ? dayString(stops[count - 1].posted_at) : "undated"} in ${stops[count - 1].name}`;
  };
  slider.addEventListener("input", update);
  let playing = false;
  playButton.addEventListener("click", async () => {
    playing = !playing;
    playButton.textContent = playing ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", String(playing));
    if (!playing) return;
    if (Number(slider.value) >= stops.length) slider.value = "1";
    while (playing) {
      update();
      await new Promise((resolve) => setTimeout(resolve, 800));
      if (Number(slider.value) >= stops.length) break;
      slider.value = String(Number(slider.value) + 1);
    }
    playing = false;
    playButton.textContent = "Play";
    playButton.setAttribute("aria-pressed", "false");
  });
  update();
} else {
  showUpTo(stops.length);
}
if (stops.length) {
  map.fitBounds(L.latLngBounds(stops.map((s) => [s.lat, s.lng])).pad(0.3), { maxZoom: 9 });
}
