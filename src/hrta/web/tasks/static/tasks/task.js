// A task's page: ask how far it has got every second and show it, without reloading,
// until it is done, failed or cancelled.
(function () {
  "use strict";
  var box = document.getElementById("task");
  if (!box) return;
  var ended = ["done", "failed", "cancelled"];
  function show(id, on) { var el = document.getElementById(id); if (el) el.hidden = !on; }
  function text(id, value) {
    var el = document.getElementById(id);
    if (!el) return;
    var p = el.querySelector(".usa-alert__text") || el;
    p.textContent = value;
  }
  function ask() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin"})
      .then(function (reply) { return reply.json(); })
      .then(function (job) {
        box.setAttribute("data-status", job.status);
        var status = document.getElementById("task-status");
        status.textContent = status.getAttribute("data-" + job.status) || job.status;
        document.getElementById("task-progress").value = job.percent;
        document.getElementById("task-percent").textContent = job.percent + "%";
        if (job.notice) text("task-notice", job.notice);
        show("task-notice", !!job.notice);
        if (job.message) text("task-message", job.message);
        show("task-message", job.status === "failed");
        show("task-cancel", ended.indexOf(job.status) < 0);
        show("task-retry", job.status === "failed" || job.status === "cancelled");
        show("task-result", job.result);
        if (ended.indexOf(job.status) < 0) window.setTimeout(ask, 1000);
      })
      .catch(function () { window.setTimeout(ask, 3000); });
  }
  if (ended.indexOf(box.getAttribute("data-status")) < 0) window.setTimeout(ask, 500);
})();
