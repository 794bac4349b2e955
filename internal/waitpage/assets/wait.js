(function () {
  "use strict";
  var main = document.getElementById("w");
  var msg = document.getElementById("msg");
  var el = document.getElementById("el");
  var why = document.getElementById("why");
  var retry = document.getElementById("retry");
  var url = main.getAttribute("data-status");
  var began = Date.now() - 1000 * (+main.getAttribute("data-elapsed") || 0);
  var delay = 1000;
  var done = main.getAttribute("data-state") === "failed";

  function show(s) {
    main.setAttribute("data-state", s.state);
    if (s.description && msg.textContent !== s.description) msg.textContent = s.description;
    why.textContent = s.message || "";
    why.hidden = !s.message;
    retry.hidden = s.state !== "failed";
    if (typeof s.elapsedSeconds === "number" && s.elapsedSeconds > 0) began = Date.now() - 1000 * s.elapsedSeconds;
  }

  function clock() {
    if (done) return;
    var secs = Math.max(0, Math.round((Date.now() - began) / 1000));
    if (secs > 0) el.textContent = secs + " s elapsed";
    setTimeout(clock, 1000);
  }

  function poll() {
    fetch(url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        delay = 1000;
        if (s.state === "ready" && s.location) { location.replace(s.location); return; }
        // Asleep again (the wake did not take): load the page anew, which wakes it.
        if (s.state === "asleep") { location.reload(); return; }
        show(s);
        if (s.state === "failed") { done = true; return; }
        setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);
        setTimeout(poll, delay);
      });
  }

  if (!done) { clock(); setTimeout(poll, delay); }
})();
