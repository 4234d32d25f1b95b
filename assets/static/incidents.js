// The running clocks of incident reports: each `.clock[data-due]` shows the time left to its
// deadline, or how long it is overdue, and is redrawn every 30 seconds. The words and units
// come from the element's own data attributes (the catalogue, in the page's language).
(function () {
  "use strict";
  function text(ms, el) {
    var over = ms < 0;
    var m = Math.ceil(Math.abs(ms) / 60000);
    var h = Math.floor(m / 60);
    var span = (h > 0 ? h + " " + el.dataset.h + " " : "") + (m % 60) + " " + el.dataset.min;
    return (over ? el.dataset.over : el.dataset.left) + " " + span;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".clock[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var ms = due - now;
      el.textContent = text(ms, el);
      el.classList.toggle("overdue", ms < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
  });
})();
