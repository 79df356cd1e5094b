// Live parts of a page: an element with data-live="URL" is refetched (as server-rendered, escaped
// HTML) whenever the server announces a newly stored event on /api/events. No reload, no library.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-live]");
  if (!boxes.length || !window.EventSource) { return; }
  var REOPEN_FIRST_MS = 2000, REOPEN_MAX_MS = 60000;
  var timer = null, running = false, again = false, deferred = false;
  function refresh(only) {
    if (running) { again = true; return; }
    running = true;
    var jobs = Array.prototype.filter.call(boxes, function (box) { return !only || only.indexOf(box) >= 0; })
      .map(function (box) {
        return fetch(box.getAttribute("data-live"), {credentials: "same-origin", cache: "no-store"})
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html === null || box.innerHTML === html) { return; }
            if (box.contains(document.activeElement) && document.activeElement !== document.body) {
              deferred = true;  // someone is typing in this part: replace it once they leave it
              return;
            }
            box.innerHTML = html;
          });
      });
    Promise.all(jobs).catch(function () {}).then(function () {
      running = false;
      if (again) { again = false; refresh(); }
    });
  }
  function soon() { if (timer === null) { timer = setTimeout(function () { timer = null; refresh(); }, 150); } }
  Array.prototype.forEach.call(boxes, function (box) {
    box.addEventListener("focusout", function (event) {
      if (deferred && !box.contains(event.relatedTarget)) { deferred = false; soon(); }
    });
  });
  // Parts with data-live-every="S" are refetched every S seconds too: what they show changes with time alone
  // (a signal raised when a deadline passes comes with no event).
  Array.prototype.forEach.call(boxes, function (box) {
    var seconds = parseFloat(box.getAttribute("data-live-every"));
    if (seconds > 0) { setInterval(function () { refresh([box]); }, seconds * 1000); }
  });
  // An EventSource reconnects by itself after a stream that ended, but gives up for good on a refusal (the store
  // busy: 503; too many streams: 429): then a new one is opened after a while, waiting longer each time.
  var wait = REOPEN_FIRST_MS;
  function listen() {
    var source = new EventSource("/api/events");
    source.onmessage = soon;
    source.onopen = function () { wait = REOPEN_FIRST_MS; soon(); };  // catch up on what arrived meanwhile
    source.onerror = function () {
      if (source.readyState !== EventSource.CLOSED) { return; }
      setTimeout(listen, wait);
      wait = Math.min(wait * 2, REOPEN_MAX_MS);
    };
  }
  listen();
  document.documentElement.setAttribute("data-live-ready", "1");
})();
