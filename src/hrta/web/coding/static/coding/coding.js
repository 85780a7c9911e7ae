// The coding pages: a run's progress while it works, and the review page's keys.
(function () {
  "use strict";

  // Overview: ask how far each working run has got, every second, until it is done.
  document.querySelectorAll(".hrta-coding-run").forEach(function (box) {
    var status = box.getAttribute("data-status");
    if (status !== "queued" && status !== "running") return;
    var text = box.querySelector(".hrta-run-text");
    var bar = box.querySelector(".hrta-run-progress");
    function ask() {
      fetch(box.getAttribute("data-status-url"), {credentials: "same-origin"})
        .then(function (reply) { return reply.json(); })
        .then(function (run) {
          if (run.status === "done" || run.status === "failed") {
            window.location.reload();
            return;
          }
          if (bar) { bar.max = Math.max(run.total, 1); bar.value = run.done; }
          if (text) text.textContent = text.textContent.replace(/\d+(\D+)\d+/, run.done + "$1" + run.total);
          window.setTimeout(ask, 1000);
        })
        .catch(function () { window.setTimeout(ask, 3000); });
    }
    window.setTimeout(ask, 500);
  });

  // Review: number keys tick themes, Enter confirms, J and K move, H hides the quote.
  var form = document.getElementById("review-form");
  if (!form) return;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" ||
        (tag === "INPUT" && target.type !== "checkbox")) return;
    var key = event.key;
    if (/^[0-9]$/.test(key)) {
      var box = form.querySelector('input[data-key="' + key + '"]');
      if (box) { box.checked = !box.checked; event.preventDefault(); }
    } else if (key === "Enter") {
      if (tag === "A" || tag === "BUTTON") return;  // their own Enter
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    } else if (key === "j" || key === "J" || key === "k" || key === "K") {
      var link = document.getElementById(key.toLowerCase() === "j" ? "next" : "previous");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
    } else if (key === "h" || key === "H") {
      var hide = document.getElementById("hide-quote");
      if (hide) { hide.checked = !hide.checked; event.preventDefault(); }
    }
  });
})();
