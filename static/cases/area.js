// The watchlist form's area: draw a box on a map to fill the four edges, or type them and see the
// box. The form's fields stay the one source of what is submitted; the map only reads and writes
// them, so the page works without JavaScript too.
import { addBasemap } from "../maps/common.js";

const L = window.L;
const container = document.getElementById("area-map");
const configNode = document.getElementById("area-config");
if (L && container && configNode) {
  const config = JSON.parse(configNode.textContent);
  const fields = {
    south: document.getElementById("id_min_lat"),
    west: document.getElementById("id_min_lng"),
    north: document.getElementById("id_max_lat"),
    east: document.getElementById("id_max_lng"),
  };
  const kind = document.getElementById("id_kind");
  const drawButton = document.getElementById("area-draw");
  const status = document.getElementById("area-status");
  const map = L.map(container, { zoomSnap: 1, minZoom: 2, maxZoom: 18 }).setView(config.center, config.zoom);
  addBasemap(map, config);
  let box = null;

  const typedBounds = () => {
    const v = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.value.trim() === "" ? NaN : Number(f.value)]));
    if (!Object.values(v).every(Number.isFinite) || v.south >= v.north || v.west >= v.east) return null;
    return L.latLngBounds([v.south, v.west], [v.north, v.east]);
  };

  const showBox = (bounds, fit) => {
    if (box) box.remove();
    box = bounds ? L.rectangle(bounds, { className: "area-box", weight: 2 }).addTo(map) : null;
    container.dataset.box = bounds ? "1" : "";
    if (bounds && fit) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
  };

  const writeFields = (bounds) => {
    // About 100 m: finer than any place an ad is located at, coarse enough to read.
    fields.south.value = bounds.getSouth().toFixed(3);
    fields.west.value = Math.max(bounds.getWest(), -180).toFixed(3);
    fields.north.value = bounds.getNorth().toFixed(3);
    fields.east.value = Math.min(bounds.getEast(), 180).toFixed(3);
    if (kind) kind.value = "area";
    status.textContent = `Box set: south ${fields.south.value}, west ${fields.west.value}, north ${fields.north.value}, east ${fields.east.value}.`;
  };

  let drawing = false;
  let start = null;
  const setDrawing = (on) => {
    drawing = on;
    start = null;
    drawButton.setAttribute("aria-pressed", String(on));
    drawButton.textContent = on ? "Cancel drawing" : "Draw a box";
    container.classList.toggle("area-drawing", on);
    if (on) map.dragging.disable();
    else map.dragging.enable();
    if (on) status.textContent = "Drag across the area on the map.";
  };
  drawButton.addEventListener("click", () => setDrawing(!drawing));

  map.on("mousedown", (event) => {
    if (!drawing) return;
    start = event.latlng;
    showBox(L.latLngBounds(start, start), false);
  });
  map.on("mousemove", (event) => {
    if (drawing && start) box.setBounds(L.latLngBounds(start, event.latlng));
  });
  map.on("mouseup", (event) => {
    if (!drawing || !start) return;
    const bounds = L.latLngBounds(start, event.latlng);
    setDrawing(false);
    if (bounds.getNorth() - bounds.getSouth() < 1e-3 || bounds.getEast() - bounds.getWest() < 1e-3) {
      showBox(typedBounds(), false);
      status.textContent = "That box was too small: drag across the area.";
      return;
    }
    showBox(bounds, false);
    writeFields(bounds);
  });

  for (const field of Object.values(fields)) {
    field.addEventListener("change", () => showBox(typedBounds(), true));
  }
  showBox(typedBounds(), true);
}
