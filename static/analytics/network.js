// The network graph: ads and the identifiers they share, drawn with the vendored Cytoscape.js.
// Data comes from json_script; labels are drawn on a canvas, never parsed as HTML.
const data = JSON.parse(document.getElementById("network-data").textContent);
const container = document.getElementById("network-graph");
const status = document.getElementById("graph-selection");
const cytoscape = window.cytoscape;

const riskColour = (risk) => {
  if (risk === null || risk === undefined) return "#9aa3ad";
  const r = Math.max(0, Math.min(1, risk));
  return `rgb(${Math.round(80 + 140 * r)}, ${Math.round(150 - 120 * r)}, ${Math.round(200 - 170 * r)})`;
};

if (container && cytoscape && data.elements.nodes.length) {
  const cy = cytoscape({
    container,
    elements: data.elements,
    wheelSensitivity: 0.2,
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 90, color: "#1b1f24" } },
      { selector: 'node[kind = "ad"]', style: { shape: "ellipse", width: 18, height: 18, "background-color": (n) => riskColour(n.data("risk")) } },
      { selector: 'node[kind != "ad"]', style: { shape: "round-rectangle", width: 14, height: 14, "background-color": "#0b5cad" } },
      { selector: 'node[kind = "phone"]', style: { "background-color": "#6a4c93" } },
      { selector: "edge", style: { width: 1, "line-color": "#b7c0ca", "curve-style": "haystack" } },
      { selector: 'edge[kind = "text"]', style: { "line-style": "dashed", "line-color": "#c98a3a", width: 1.5 } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#1b1f24" } },
    ],
    layout: { name: data.elements.nodes.length > 150 ? "concentric" : "cose", animate: false },
  });
  cy.on("tap", "node", (event) => {
    const node = event.target.data();
    status.textContent = `${node.kind}: ${node.label}${node.risk != null ? ` (risk ${node.risk})` : ""}`;
  });
  cy.on("dbltap", "node", (event) => {
    const url = event.target.data("url");
    if (url && url.startsWith("/")) window.location.assign(url);
  });
  status.textContent = "Select a node to see it; double-click to open it.";
} else if (status) {
  status.textContent = "Nothing to draw.";
}
