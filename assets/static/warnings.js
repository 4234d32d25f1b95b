// SafeCampus: live warnings. The warnings list and a warning's page follow the server's stream
// of warning changes (server-sent events, same origin, the session's scope) and refresh their
// `data-live` parts from the page fetched again, so a new warning shows at the top of the list
// within a moment and a warning's page follows its steps. Without this script the pages are
// ordinary pages.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var parts = document.querySelectorAll("[data-live]");
  if (!parts.length) { return; }
  var one = document.querySelector("[data-warning]");
  var only = one ? one.getAttribute("data-warning") : null;
  // A school's page follows that school's warnings only.
  var school = document.querySelector("[data-school]");
  var onlySchool = school ? school.getAttribute("data-school") : null;
  var src = (one && one.getAttribute("data-src")) || location.pathname + location.search;
  var indicator = document.getElementById("live-indicator");
  var busy = false, again = false, fresh = {};

  // A part with form fields someone is filling in is left alone.
  function inUse(el) {
    if (!el.hasAttribute("data-keep-input")) { return false; }
    if (el.contains(document.activeElement) && document.activeElement !== document.body) {
      return true;
    }
    var fields = el.querySelectorAll("textarea, select, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value) { return true; }
    }
    return false;
  }

  function swap(doc) {
    document.querySelectorAll("[data-live]").forEach(function (el) {
      var next = el.id && doc.getElementById(el.id);
      if (!next || inUse(el)) { return; }
      var shown = el.querySelector("#live-indicator");
      el.replaceWith(document.importNode(next, true));
      if (shown) {
        indicator = document.getElementById("live-indicator");
        if (indicator) { indicator.hidden = shown.hidden; }
      }
    });
    Object.keys(fresh).forEach(function (id) {
      var row = document.getElementById("w-" + id);
      if (row) { row.classList.add("fresh"); }
    });
    fresh = {};
  }

  // One fetch at a time; changes during a fetch bring one more.
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html) { swap(new DOMParser().parseFromString(html, "text/html")); }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  var opened = false;
  var stream = new EventSource("/api/v1/warnings/stream");
  // The server's first event: the stream is open. After a reconnection the page is fetched
  // again, for the changes made while it was away.
  stream.addEventListener("open", function (e) {
    if (!(e instanceof MessageEvent)) { return; }
    if (indicator) { indicator.hidden = false; }
    if (opened) { refresh(); }
    opened = true;
  });
  stream.addEventListener("error", function () {
    if (indicator) { indicator.hidden = true; }
  });
  stream.addEventListener("warning", function (e) {
    var w;
    try { w = JSON.parse(e.data); } catch (x) { return; }
    if (only && String(w.id) !== only) { return; }
    if (onlySchool && String(w.school_id) !== onlySchool) { return; }
    fresh[w.id] = true;
    refresh();
  });
})();
