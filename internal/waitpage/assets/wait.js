(function () {
  "use strict";
  var main = document.getElementById("w");
  var msg = document.getElementById("msg");
  var el = document.getElementById("el");
  var eta = document.getElementById("eta");
  var why = document.getElementById("why");
  var retry = document.getElementById("retry");
  // The server paces the polling: each answer says what to ask next and when.
  var url = main.getAttribute("data-status");
  var delay = +main.getAttribute("data-after") || 1000;
  var backoff = 1000;
  var began = Date.now() - 1000 * (+main.getAttribute("data-elapsed") || 0);
  // When the wake should be over, from earlier wakes; 0 when unknown.
  var due = +main.getAttribute("data-estimate") > 0 ? Date.now() + 1000 * +main.getAttribute("data-estimate") : 0;
  var done = main.getAttribute("data-state") === "failed";

  var service = document.querySelector("h1").textContent;

  // The visitor's words by state, and by stage while waking: the status
  // JSON's description is an operator's (the same as waitpage.Words).
  var WORDS = {"asleep": "The service is asleep.", "ready": "Ready. Taking you there…", "failed": "The service could not start.", "no-task": "Starting a task…", "provisioning": "Preparing the task's network…", "pending": "Pulling the image and starting the container…", "activating": "Almost there: connecting the task…", "starting-app": "The app is starting up…", "checking": "Checking on the service…"};
  function words(s) {
    return WORDS[s.state === "waking" ? s.stage : s.state] || "";
  }

  function show(s) {
    main.setAttribute("data-state", s.state);
    document.title = s.state === "failed" ? service + " could not start" : "Starting " + service + "…";
    var said = words(s);
    if (said && msg.textContent !== said) msg.textContent = said;
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
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        backoff = 1000;
        if (s.state === "ready" && s.location) { location.replace(s.location); return; }
        // Asleep again (the wake did not take): load the page anew, which wakes it.
        if (s.state === "asleep") { location.reload(); return; }
        show(s);
        if (s.state === "failed") { done = true; return; }
        if (s.next && s.next.url) { url = s.next.url; delay = s.next.afterMs; } else { delay = 1000; }
        setTimeout(poll, delay);
      })
      .catch(function () {
        backoff = Math.min(backoff * 2, 10000);
        setTimeout(poll, backoff);
      });
  }

  if (!done) { clock(); setTimeout(poll, delay); }
})();
