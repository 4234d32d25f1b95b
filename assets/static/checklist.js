// SafeCampus: the checklist form's enhancements (the form works without them): the
// progress counter and each zone's count follow the answers; "mark the rest as pass" asks
// first, saying how many rows it will mark; a form is sent once; a row whose answer could
// not be saved as it was given (htmx, the half-month self-inspection) says so.
(function () {
  var form = document.getElementById("inspection-form");
  if (!form) { return; }
  var rows = form.querySelectorAll("fieldset.check-row");
  var done = document.getElementById("ck-done");
  var bar = document.getElementById("ck-bar");
  var confirmRest = document.getElementById("confirm-rest");
  var rest = document.getElementById("rest-pass");

  function answered(row) { return row.querySelector(".ck-radio:checked") !== null; }
  function unanswered() {
    var n = 0;
    rows.forEach(function (r) { if (!answered(r)) { n += 1; } });
    return n;
  }
  function update() {
    var total = 0, n = 0;
    form.querySelectorAll(".ck-group").forEach(function (g) {
      var rs = g.querySelectorAll("fieldset.check-row"), d = 0;
      rs.forEach(function (r) { if (answered(r)) { d += 1; } });
      total += rs.length; n += d;
      var count = form.querySelector('.ck-gcount[data-group="' + g.getAttribute("data-group") + '"]');
      if (count) {
        count.textContent = d + "/" + rs.length;
        count.classList.toggle("ck-full", d === rs.length);
      }
    });
    if (done) { done.textContent = String(n); }
    if (bar) { bar.classList.toggle("ck-complete", total > 0 && n === total); }
  }
  form.addEventListener("change", function (e) {
    var t = e.target;
    if (t.classList && t.classList.contains("ck-radio")) {
      var row = t.closest("fieldset.check-row");
      if (row) { row.classList.toggle("ck-open", t.value === "fail" || t.value === "na"); }
      update();
    }
  });
  // The progress opens the index.
  var progress = document.getElementById("ck-progress");
  var fold = document.getElementById("ck-index-fold");
  if (progress && fold) {
    progress.addEventListener("click", function () { fold.open = true; });
  }
  // "Mark the rest as pass": confirmed with the count of rows it marks.
  form.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button[name=rest]") : null;
    if (!b) { return; }
    var n = unanswered();
    if (n > 0 && rest) {
      var msg = (rest.getAttribute("data-confirm-rest") || "").replace("%{n}", String(n));
      if (!window.confirm(msg)) { e.preventDefault(); return; }
    }
    if (confirmRest) { confirmRest.value = String(n); }
  });
  var sent = false;
  form.addEventListener("submit", function (e) {
    if (sent) { e.preventDefault(); return; }
    sent = true;
  });
  window.addEventListener("pageshow", function () { sent = false; });
  function unsaved(e) {
    var row = e.target && e.target.closest ? e.target.closest("fieldset.check-row") : null;
    var mark = row ? row.querySelector(".ck-saved") : null;
    if (!mark) { return; }
    mark.textContent = form.getAttribute("data-unsaved") || "";
    mark.classList.add("ck-unsaved");
  }
  form.addEventListener("htmx:responseError", unsaved);
  form.addEventListener("htmx:sendError", unsaved);
  update();
})();
