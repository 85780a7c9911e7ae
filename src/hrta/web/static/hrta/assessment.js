// Progressive enhancement only: every rule here is enforced again by the server.
(function () {
  "use strict";
  // Skip logic within a page: show a question once an answer it depends on is chosen.
  function updateConditions() {
    document.querySelectorAll("[data-show-if]").forEach(function (group) {
      var source = group.getAttribute("data-show-if");
      var wanted = group.getAttribute("data-any-of").split(" ");
      var chosen = Array.prototype.some.call(
        document.querySelectorAll('input[name="' + source + '"]:checked'),
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
        checked -= 1;
        counter.textContent = counter.getAttribute("data-full") ||
          ("You can choose up to " + limit + ". Clear one to choose another.");
        return;
      }
      counter.textContent = checked + " / " + limit;
    });
  }
  document.addEventListener("change", function (event) { updateConditions(); updateLimits(event); });
  updateConditions();
  updateLimits(null);
})();
