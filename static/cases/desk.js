// The desk's small enhancements. Everything works without this file; htmx does the partial updates.
// Focus follows htmx swaps so that keyboard and screen-reader users land on what changed.
document.body.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.isConnected) return;
  const alert = target.querySelector('[role="alert"]');
  const focusable = alert || target.querySelector("button, a, input, textarea");
  if (focusable) {
    if (alert) alert.setAttribute("tabindex", "-1");
    focusable.focus({ preventScroll: false });
  }
});
