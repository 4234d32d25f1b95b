// SafeCampus: live risk maps. A map page (a school's four-colour map, the district map)
// follows the server's stream of warning changes (server-sent events, same origin, the
// session's scope) and, when a warning of a school it shows changes, fetches the page again
// and swaps its `data-live-map` parts, so a warning's mark appears and goes within a moment.
// `data-schools` lists the ids of the schools a part shows (none: every school in scope);
// `#map-live` is shown while the stream is open. Without this script the pages are ordinary
// pages.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var parts = document.querySelectorAll("[data-live-map]");
  if (!parts.length) { return; }
  var schools = {}, any = false;
  parts.forEach(function (el) {
    var ids = (el.getAttribute("data-schools") || "").split(/\s+/).filter(Boolean);
    if (!ids.length) { any = true; }
    ids.forEach(function (id) { schools[id] = true; });
  });
  var src = location.pathname + location.search;
  var indicator = document.getElementById("map-live");
  var busy = false, again = false, timer = null;

  function swap(doc) {
    document.querySelectorAll("[data-live-map]").forEach(function (el) {
      var next = el.id && doc.getElementById(el.id);
      if (next) { el.replaceWith(document.importNode(next, true)); }
    });
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

  // A burst of changes (an alarm and its repeats) brings one fetch.
  function soon() {
    if (timer) { return; }
    timer = setTimeout(function () { timer = null; refresh(); }, 200);
  }

  var opened = false;
  var stream = new EventSource("/api/v1/warnings/stream");
  // The server's first event: the stream is open. After a reconnection the page is fetched
  // again, for the changes made while it was away.
  stream.addEventListener("open", function (e) {
    if (!(e instanceof MessageEvent)) { return; }
    if (indicator) { indicator.hidden = false; }
    if (opened) { soon(); }
    opened = true;
  });
  stream.addEventListener("error", function () {
    if (indicator) { indicator.hidden = true; }
  });
  stream.addEventListener("warning", function (e) {
    var w;
    try { w = JSON.parse(e.data); } catch (x) { return; }
    if (any || schools[String(w.school_id)]) { soon(); }
  });
})();
