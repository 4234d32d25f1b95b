// SafeCampus: small progressive enhancements; every page works without them.
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
// A button marked `data-print` prints the page (the print styles lay it out on A4).
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest("[data-print]")) { window.print(); }
});
