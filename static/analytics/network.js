// The network graph: ads (near-identical ads collapsed into one template node with a count) and
// the identifiers they share, drawn with the vendored Cytoscape.js. Data comes from json_script;
// labels are drawn on a canvas, never parsed as HTML. The risk colours split at the flag
// threshold the server sends (RISK_FLAG_THRESHOLD), never a copy of it.
const data = JSON.parse(document.getElementById("network-data").textContent);
const container = document.getElementById("network-graph");
const status = document.getElementById("graph-selection");
const cytoscape = window.cytoscape;
const threshold = typeof data.risk_threshold === "number" ? data.risk_threshold : 0.5;

// Below the threshold: pale to deep amber as risk grows; at or above it: red, deeper with risk.
const riskColour = (risk) => {
  if (risk === null || risk === undefined) return "#9aa3ad";
  const r = Math.max(0, Math.min(1, risk));
  if (r >= threshold) {
    const t = threshold < 1 ? (r - threshold) / (1 - threshold) : 1;
    return `rgb(${Math.round(214 - 60 * t)}, ${Math.round(48 - 30 * t)}, ${Math.round(39 - 20 * t)})`;
  }
  const t = threshold > 0 ? r / threshold : 0;
  return `rgb(${Math.round(254 - 20 * t)}, ${Math.round(232 - 90 * t)}, ${Math.round(160 - 120 * t)})`;
};

if (container && cytoscape && data.elements.nodes.length) {
  const many = data.elements.nodes.length > 60;
  const cy = cytoscape({
    container,
    elements: data.elements,
    wheelSensitivity: 0.2,
    style: [
      { selector: "node", style: { "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 110, color: "#1b1f24", "text-valign": "bottom", "text-margin-y": 3 } },
      { selector: 'node[kind = "ad"]', style: { shape: "ellipse", width: 16, height: 16, "background-color": (n) => riskColour(n.data("risk")), "border-width": 1, "border-color": "#6b7280" } },
      { selector: 'node[kind = "template"]', style: { shape: "ellipse", label: "data(count)", "text-valign": "center", "text-margin-y": 0, "font-weight": "bold", width: (n) => 18 + 6 * Math.sqrt(n.data("count")), height: (n) => 18 + 6 * Math.sqrt(n.data("count")), "background-color": (n) => riskColour(n.data("risk")), "border-width": 2, "border-color": "#374151" } },
      { selector: 'node[kind != "ad"][kind != "template"]', style: { shape: "round-rectangle", width: 14, height: 14, label: many ? "" : "data(label)", "background-color": "#0b5cad" } },
      { selector: 'node[kind = "phone"]', style: { "background-color": "#6a4c93" } },
      { selector: 'node[kind = "email"]', style: { "background-color": "#2a9d8f" } },
      { selector: 'node[kind = "image"]', style: { "background-color": "#264653" } },
      { selector: "edge", style: { width: 1, "line-color": "#b7c0ca", "curve-style": "haystack" } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#1b1f24", label: "data(label)" } },
      { selector: ".hidden", style: { display: "none" } },
    ],
    layout: { name: "cose", animate: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 50, nodeOverlap: 12, randomize: false },
  });
  cy.on("tap", "node", (event) => {
    const node = event.target.data();
    const what = node.kind === "template" ? `${node.count} near-identical ads, e.g. ${node.title}` : `${node.kind}: ${node.label}`;
    status.textContent = `${what}${node.risk != null ? ` (highest risk ${node.risk})` : ""}`;
  });
  cy.on("dbltap", "node", (event) => {
    const url = event.target.data("url");
    if (url && url.startsWith("/")) window.location.assign(url);
  });
  // Link-kind toggles: hide one kind of identifier (and its edges) to see what else holds.
  document.querySelectorAll("input[data-link-kind]").forEach((box) => {
    box.addEventListener("change", () => {
      const kind = box.dataset.linkKind;
      const nodes = cy.nodes().filter((n) => n.data("kind") === kind);
      if (box.checked) nodes.removeClass("hidden");
      else nodes.addClass("hidden");
    });
  });
  status.textContent = "Select a node to see it; double-click to open it.";
} else if (status) {
  status.textContent = "Nothing to draw.";
}
