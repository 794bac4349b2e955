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
  var WORDS = {"asleep": "The service is asleep.", "ready": "Ready. Taking you there…", "failed": "The service could not start.", "no-task": "Starting a task…", "provisioning": "Preparing the task's network…", "pending": "Pulling the image and starting the container…", "activating": "Almost there: connecting the task…", "starting-app": "The app is starting up…", "checking": "Checking on the service…", "starting-database": "Starting the database…"};
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

  // leftText is the time likely left, with a separator only after an elapsed time.
  function leftText() {
    var left = due ? Math.round((due - Date.now()) / 1000) : 0;
    var words = left > 0 ? "about " + left + " s left" : due ? "almost there" : "";
    return words && el.textContent ? " · " + words : words;
  }

  function clock() {
    if (done) return;
    var secs = Math.max(0, Math.round((Date.now() - began) / 1000));
    if (secs > 0) el.textContent = secs + " s elapsed";
    eta.textContent = leftText();
    setTimeout(clock, 1000);
  }

  // failedText says when the wake failed, in the visitor's own time, and after how long.
  function failedText(at, secs) {
    var d = new Date(at || "");
    if (isNaN(d.getTime())) return "";
    var when = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return "Failed at " + when + (secs > 0 ? " after " + secs + " s" : "");
  }

  // stop ends the clock of a failed wake: the line says when it failed rather
  // than counting on for as long as the page stays open.
  function stop(at, secs) {
    done = true;
    el.textContent = failedText(at, secs);
    eta.textContent = "";
  }

  // carry keeps the page's #fragment, which browsers never send to a server,
  // on the way to the app (a location that has its own is left alone).
  function carry(target) {
    return location.hash && target.indexOf("#") < 0 ? target + location.hash : target;
  }

  function poll() {
    fetch(url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        backoff = 1000;
        if (s.state === "ready" && s.location) { location.replace(carry(s.location)); return; }
        // Asleep again (the wake did not take): load the page anew, which wakes it.
        if (s.state === "asleep") { location.reload(); return; }
        show(s);
        if (s.state === "failed") { stop(s.failedAt, s.elapsedSeconds); return; }
        if (s.next && s.next.url) { url = s.next.url; delay = s.next.afterMs; } else { delay = 1000; }
        setTimeout(poll, delay);
      })
      .catch(function () {
        backoff = Math.min(backoff * 2, 10000);
        setTimeout(poll, backoff);
      });
  }

  // The retry's answer sends the browser back to the page; the fragment goes with it.
  retry.addEventListener("submit", function () { retry.action = carry(retry.getAttribute("action")); });
  if (done) {
    var at = el.querySelector("time");
    stop(at && at.getAttribute("datetime"), +main.getAttribute("data-elapsed"));
  } else { clock(); setTimeout(poll, delay); }
})();
