(function () {
  "use strict";
  var main = document.getElementById("w");
  var msg = document.getElementById("msg");
  var el = document.getElementById("el");
  var eta = document.getElementById("eta");
  var why = document.getElementById("why");
  var retry = document.getElementById("retry");
  var url = main.getAttribute("data-status");
  var began = Date.now() - 1000 * (+main.getAttribute("data-elapsed") || 0);
  var delay = 1000;
  // When the wake should be over, from earlier wakes; 0 when unknown.
  var due = +main.getAttribute("data-estimate") > 0 ? Date.now() + 1000 * +main.getAttribute("data-estimate") : 0;
  var done = main.getAttribute("data-state") === "failed";

  var service = document.querySelector("h1").textContent;

  function show(s) {
    main.setAttribute("data-state", s.state);
    document.title = s.state === "failed" ? service + " could not start" : "Starting " + service + "…";
    if (s.description && msg.textContent !== s.description) msg.textContent = s.description;
    why.textContent = s.message || "";
    why.hidden = !s.message;
    retry.hidden = s.state !== "failed";
    if (typeof s.elapsedSeconds === "number" && s.elapsedSeconds > 0) began = Date.now() - 1000 * s.elapsedSeconds;
    due = typeof s.estimatedSeconds === "number" ? Date.now() + 1000 * s.estimatedSeconds : 0;
  }

  function clock() {
    if (done) return;
    var secs = Math.max(0, Math.round((Date.now() - began) / 1000));
    if (secs > 0) el.textContent = secs + " s elapsed";
    var left = due ? Math.round((due - Date.now()) / 1000) : 0;
    eta.textContent = left > 0 ? "· about " + left + " s left" : due ? "· almost there" : "";
    setTimeout(clock, 1000);
  }

  function poll() {
    fetch(url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        // Once the task runs, the app answers any moment: look twice as often.
        delay = s.stage === "starting-app" ? 500 : 1000;
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
