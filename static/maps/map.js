// The map page. Fetches clusters for the viewport from the server (which aggregates in SQL), draws
// each ad as precisely as it is known, and lists the ads behind a cluster, area or pin.
// Ad text only ever reaches the page through textContent: never through innerHTML.
import { addBasemap, dayString, el, riskBand } from "./common.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const L = window.L;
const form = document.getElementById("map-filters");
const statusLine = document.getElementById("map-status");
const list = document.getElementById("map-list");
const listTitle = document.getElementById("map-list-title");
const listMore = document.getElementById("map-list-more");
const heatToggle = document.getElementById("f-heat");
const slider = document.getElementById("f-slider");
const sliderLabel = document.getElementById("f-slider-label");
const windowSelect = document.getElementById("f-window");
const playButton = document.getElementById("f-play");
const startInput = document.getElementById("f-start");
const endInput = document.getElementById("f-end");

// The view is part of the page's address ("at=lat,lng,zoom"), so a link or a reload keeps it.
function initialView() {
  const at = (new URLSearchParams(window.location.search).get("at") || "").split(",").map(Number);
  if (at.length === 3 && at.every(Number.isFinite) && Math.abs(at[0]) <= 85 && Math.abs(at[1]) <= 180) {
    return [[at[0], at[1]], Math.min(Math.max(Math.round(at[2]), 2), 18)];
  }
  return [config.center, config.zoom];
}

function addressParams() {
  const params = filterParams();
  const c = map.getCenter();
  params.set("at", `${c.lat.toFixed(4)},${c.lng.toFixed(4)},${map.getZoom()}`);
  return params;
}

const map = L.map("map", { zoomSnap: 1, minZoom: 2, maxZoom: 18 }).setView(...initialView());
addBasemap(map, config);

const clusterLayer = L.layerGroup().addTo(map);
const areaLayer = L.layerGroup().addTo(map);
const pointLayer = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 }).addTo(map);
const uncertaintyLayer = L.layerGroup().addTo(map);
const heatLayer = L.heatLayer([], { radius: 28, blur: 20, maxZoom: 10 });
let heatPoints = [];

let sequence = 0;
let controller = null;

function filterParams() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (value !== "") params.set(name, value);
  }
  return params;
}

function viewParams() {
  const params = filterParams();
  const b = map.getBounds();
  params.set("south", b.getSouth().toFixed(4));
  params.set("west", Math.max(b.getWest(), -180).toFixed(4));
  params.set("north", b.getNorth().toFixed(4));
  params.set("east", Math.min(b.getEast(), 180).toFixed(4));
  params.set("zoom", String(map.getZoom()));
  return params;
}

function formatCount(n) {
  if (n >= 10000) return `${Math.round(n / 1000)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return String(n);
}

function clusterIcon(cluster) {
  const size = cluster.n < 100 ? "small" : cluster.n < 1000 ? "medium" : "large";
  const high = cluster.max_risk !== null && cluster.max_risk >= config.riskBands.high ? " cluster-high" : "";
  const inner = el("div", {}, [el("span", {}, [formatCount(cluster.n)])]);
  return L.divIcon({ html: inner, className: `marker-cluster marker-cluster-${size}${high}`, iconSize: L.point(40, 40) });
}

function pinIcon(point) {
  const kind = point.precision === "city" ? "city" : "point";
  return L.divIcon({
    html: el("span", {}, []),
    className: `ad-pin ad-pin-${kind} risk-${riskBand(point.risk, config.riskBands)}`,
    iconSize: L.point(16, 16),
  });
}

function describe(ad) {
  const parts = [];
  if (ad.posted_at) parts.push(dayString(ad.posted_at));
  if (ad.name) parts.push(`${ad.name} (${ad.precision_label || config.precisions[ad.precision] || ad.precision})`);
  if (ad.risk !== null && ad.risk !== undefined) parts.push(`${config.scoreName.toLowerCase()} ${ad.risk.toFixed(2)}`);
  if (ad.possible_minor) parts.push("possible minor");
  if (ad.category) parts.push(ad.category);
  if (ad.source) parts.push(ad.source);
  return parts.join(" · ");
}

function popupFor(point) {
  const title = point.url
    ? el("a", { href: point.url, class: "popup-title" }, [point.title || "(untitled ad)"])
    : el("strong", { class: "popup-title" }, [point.title || "(untitled ad)"]);
  return el("div", { class: "popup" }, [title, el("p", { class: "small" }, [describe(point)])]);
}

function queueLink(name) {
  if (!config.queueUrl || !name) return null;
  const params = new URLSearchParams({ location: name.split(",")[0], status: "all" });
  return el("a", { href: `${config.queueUrl}?${params}` }, [`Open “${name.split(",")[0]}” in the case queue`]);
}

async function listAds(bounds, title, extra = {}, page = 1) {
  const params = filterParams();
  params.set("south", bounds.south);
  params.set("west", bounds.west);
  params.set("north", bounds.north);
  params.set("east", bounds.east);
  params.set("page", String(page));
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  listTitle.textContent = title;
  if (page === 1) list.replaceChildren(el("li", { class: "small" }, ["Loading…"]));
  const response = await fetch(`${config.adsUrl}?${params}`, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    list.replaceChildren(el("li", { class: "error" }, [`Could not load the ads (${response.status}).`]));
    return;
  }
  const data = await response.json();
  const items = data.ads.map((ad) =>
    el("li", { "data-ad": String(ad.id) }, [
      ad.url ? el("a", { href: ad.url }, [ad.title || "(untitled ad)"]) : el("span", {}, [ad.title]),
      el("div", { class: "small" }, [describe(ad)]),
    ]),
  );
  if (page === 1) list.replaceChildren(...items);
  else list.append(...items);
  if (page === 1 && !items.length) list.replaceChildren(el("li", { class: "small" }, ["No ads."]));
  const more = [];
  if (data.has_next) {
    const button = el("button", { type: "button", class: "secondary" }, ["More"]);
    button.addEventListener("click", () => listAds(bounds, title, extra, page + 1));
    more.push(button);
  }
  const link = queueLink(extra.name || (data.ads[0] && bounds.single ? data.ads[0].name : ""));
  if (link) more.push(link);
  listMore.replaceChildren(...more);
}

function draw(data) {
  clusterLayer.clearLayers();
  areaLayer.clearLayers();
  pointLayer.clearLayers();
  uncertaintyLayer.clearLayers();
  const heat = [];
  if (data.mode === "clusters") {
    const top = Math.max(1, ...data.clusters.map((c) => c.n));
    for (const cluster of data.clusters) {
      const marker = L.marker([cluster.lat, cluster.lng], { icon: clusterIcon(cluster), keyboard: true, title: `${cluster.n} ads` });
      marker.on("click", () => {
        const [south, west, north, east] = cluster.bounds;
        listAds({ south, west, north, east }, `${cluster.n} ads in this part of the map`);
        map.fitBounds([[south, west], [north, east]]);
      });
      clusterLayer.addLayer(marker);
      heat.push([cluster.lat, cluster.lng, cluster.n / top]);
    }
  } else {
    const markers = data.points.map((point) => {
      const marker = L.marker([point.lat, point.lng], { icon: pinIcon(point), keyboard: true, title: point.name });
      marker.bindPopup(() => popupFor(point));
      marker.on("click", () => {
        const d = 0.0001;
        listAds({ south: point.lat - d, west: point.lng - d, north: point.lat + d, east: point.lng + d, single: true }, point.name || "Ads here");
      });
      if (point.precision === "city" && map.getZoom() >= 8) {
        uncertaintyLayer.addLayer(L.circle([point.lat, point.lng], { radius: point.radius_km * 1000, className: "uncertainty-city", interactive: false }));
      }
      heat.push([point.lat, point.lng, 0.5]);
      return marker;
    });
    pointLayer.addLayers(markers);
  }
  for (const area of data.areas) {
    const label = `${area.n} ad${area.n === 1 ? "" : "s"} known only to ${config.precisions[area.precision] || area.precision}: ${area.name}`;
    const circle = L.circle([area.lat, area.lng], { radius: area.radius_km * 1000, className: `area area-${area.precision}`, dashArray: "6 6", weight: 1.5, fillOpacity: 0.06 });
    circle.bindTooltip(el("span", {}, [label]));
    const count = L.marker([area.lat, area.lng], {
      icon: L.divIcon({ html: el("span", {}, [`~${formatCount(area.n)}`]), className: "area-count", iconSize: L.point(44, 22) }),
      title: label,
      keyboard: true,
    });
    const open = () => {
      const d = 0.0001;
      listAds({ south: area.lat - d, west: area.lng - d, north: area.lat + d, east: area.lng + d }, label, { precision: area.precision, name: area.name });
    };
    circle.on("click", open);
    count.on("click", open);
    areaLayer.addLayer(circle);
    areaLayer.addLayer(count);
  }
  // leaflet.heat redraws on setLatLngs and fails once removed from the map ("reading
  // '_animating' of null"): keep the points, and give them to the layer only while it is shown.
  heatPoints = heat;
  if (map.hasLayer(heatLayer)) heatLayer.setLatLngs(heat);
  const inAreas = data.areas.reduce((sum, a) => sum + a.n, 0);
  statusLine.textContent =
    `${data.total.toLocaleString()} ads in view ${data.mode === "clusters" ? "(grouped)" : "(each shown)"}` +
    (inAreas ? ` · ${inAreas.toLocaleString()} known only to a state, area code or country` : "");
  document.getElementById("map").dataset.mode = data.mode;
  document.getElementById("map").dataset.total = String(data.total);
}

async function refresh() {
  const mine = ++sequence;
  if (controller) controller.abort();
  controller = new AbortController();
  statusLine.textContent = "Loading…";
  try {
    const response = await fetch(`${config.dataUrl}?${viewParams()}`, { signal: controller.signal, headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = await response.json();
    if (mine === sequence) draw(data);
  } catch (error) {
    if (error.name !== "AbortError") statusLine.textContent = `Could not load the map data (${error.message}).`;
  }
  history.replaceState(null, "", `?${addressParams()}`);
  updateWatchLink();
}

// "Watch this view": the watchlist form, prefilled with the view's box as an area.
function updateWatchLink() {
  const link = document.getElementById("watch-view");
  if (!link) return;
  const b = map.getBounds();
  const params = new URLSearchParams({
    min_lat: Math.max(b.getSouth(), -90).toFixed(3),
    min_lng: Math.max(b.getWest(), -180).toFixed(3),
    max_lat: Math.min(b.getNorth(), 90).toFixed(3),
    max_lng: Math.min(b.getEast(), 180).toFixed(3),
  });
  link.href = `${config.watchUrl}?${params}#watch-form`;
}

// --- time window and playback ---------------------------------------------------------------
const DAY = 86400000;
const first = config.first ? Date.parse(`${config.first}T00:00:00Z`) : null;
const last = config.last ? Date.parse(`${config.last}T00:00:00Z`) : null;

function applySlider() {
  if (first === null || !slider) return;
  const days = Number(windowSelect.value);
  const end = first + Number(slider.value) * DAY;
  sliderLabel.textContent = days ? `${dayString(end - (days - 1) * DAY)} – ${dayString(end)}` : "all time";
  startInput.value = days ? dayString(end - (days - 1) * DAY) : "";
  endInput.value = days ? dayString(end) : "";
}

if (first !== null && slider) {
  slider.max = String(Math.round((last - first) / DAY));
  const endValue = endInput.value ? Date.parse(`${endInput.value}T00:00:00Z`) : last;
  slider.value = String(Math.min(Math.max(Math.round((endValue - first) / DAY), 0), Number(slider.max)));
  if (!startInput.value && !endInput.value) windowSelect.value = "0";
  sliderLabel.textContent = windowSelect.value === "0" ? "all time" : "";
  slider.addEventListener("input", () => {
    if (windowSelect.value === "0") windowSelect.value = "30";
    applySlider();
  });
  slider.addEventListener("change", refresh);
  windowSelect.addEventListener("change", () => {
    applySlider();
    refresh();
  });

  let playing = false;
  playButton.addEventListener("click", async () => {
    playing = !playing;
    playButton.textContent = playing ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", String(playing));
    if (!playing) return;
    if (windowSelect.value === "0") windowSelect.value = "30";
    const step = Math.max(1, Math.round(Number(windowSelect.value) / 4));
    if (Number(slider.value) >= Number(slider.max)) slider.value = "0";
    while (playing) {
      applySlider();
      await refresh();
      await new Promise((resolve) => setTimeout(resolve, 700));
      if (Number(slider.value) >= Number(slider.max)) break;
      slider.value = String(Math.min(Number(slider.value) + step, Number(slider.max)));
    }
    playing = false;
    playButton.textContent = "Play";
    playButton.setAttribute("aria-pressed", "false");
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  refresh();
});
for (const input of form.querySelectorAll("select[name], input[type=checkbox][name], input[type=date]")) {
  input.addEventListener("change", refresh);
}
heatToggle.addEventListener("change", () => {
  if (heatToggle.checked) {
    heatLayer.addTo(map);
    heatLayer.setLatLngs(heatPoints);
  } else heatLayer.remove();
});
map.on("moveend", refresh);
refresh();
