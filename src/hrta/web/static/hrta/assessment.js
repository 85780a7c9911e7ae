// Progressive enhancement only: every rule here is enforced again by the server.
(function () {
  "use strict";
  // Skip logic within a page: show a question once an answer it depends on is chosen.
  function updateConditions() {
    document.querySelectorAll("[data-show-if]").forEach(function (group) {
      var source = group.getAttribute("data-show-if");
      var wanted = group.getAttribute("data-any-of").split(" ");
      var chosen = Array.prototype.some.call(
        document.querySelectorAll('[name="' + source + '"]:checked, select[name="' + source + '"]'),
        function (input) { return wanted.indexOf(input.value) !== -1; });
      group.classList.toggle("hrta-hidden", !chosen);
    });
  }
  // "Top three": say how many are chosen and stop a fourth with a clear message.
  function updateLimits(event) {
    document.querySelectorAll("[data-limit-for]").forEach(function (counter) {
      var name = counter.getAttribute("data-limit-for");
      var boxes = document.querySelectorAll('input[name="' + name + '"]');
      var limit = parseInt(boxes[0].getAttribute("data-max"), 10);
      var checked = document.querySelectorAll('input[name="' + name + '"]:checked').length;
      if (event && event.target.name === name && event.target.checked && checked > limit) {
        event.target.checked = false;
        counter.textContent = counter.getAttribute("data-full");
        return;
      }
      counter.textContent = counter.getAttribute("data-count").replace("{count}", checked);
    });
  }
  // An "Other" text box shows once "Other" is chosen (or when it already holds text).
  function updateOthers() {
    document.querySelectorAll("[data-other-for]").forEach(function (box) {
      var option = document.getElementById(box.getAttribute("data-other-for"));
      var select = option ? null : box.parentNode.querySelector("select");
      var chosen = option ? option.checked :
        (select !== null && select.value === box.getAttribute("data-other-for").split("-").pop());
      var input = box.querySelector("input");
      box.classList.toggle("hrta-hidden", !chosen && input.value === "" &&
                           !box.classList.contains("usa-form-group--error"));
    });
  }
  document.addEventListener("change", function (event) {
    updateConditions(); updateLimits(event); updateOthers();
  });
  updateConditions();
  updateLimits(null);
  updateOthers();
  // After a failed save, start at the list of problems; its links lead to each field.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
