// The chart page: series computed on the server from the ads the user may see, drawn with Chart.js.
const config = JSON.parse(document.getElementById("chart-config").textContent);
const Chart = window.Chart;
const palette = ["#0b5cad", "#a4161a", "#2a9d8f", "#8a5a00", "#6a4c93", "#e76f51", "#264653", "#7f8c8d"];

new Chart(document.getElementById("chart-cities"), {
  type: "line",
  data: {
    labels: config.weeks,
    datasets: config.cities.map((city, i) => ({
      label: city.name,
      data: city.series,
      borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length],
      tension: 0.2,
    })),
  },
  options: { animation: false, scales: { y: { beginAtZero: true, title: { display: true, text: "flagged ads per week" } } } },
});

new Chart(document.getElementById("chart-risk"), {
  type: "bar",
  data: {
    labels: config.riskBins.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`),
    datasets: [{ label: "ads", data: config.riskBins, backgroundColor: config.riskBins.map((_, i) => (i / 10 >= config.threshold ? "#a4161a" : "#0b5cad")) }],
  },
  options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
});

new Chart(document.getElementById("chart-indicators"), {
  type: "bar",
  data: { labels: config.indicators.map((i) => i.code), datasets: [{ label: "flagged ads", data: config.indicators.map((i) => i.n), backgroundColor: "#0b5cad" }] },
  options: { animation: false, indexAxis: "y", plugins: { legend: { display: false } } },
});
