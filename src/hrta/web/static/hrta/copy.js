/* Copy buttons for the resume link and code. They stay hidden where the browser cannot
   copy (no script, or no clipboard outside HTTPS): the text is there to select by hand. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  var status = document.getElementById("copy-status");
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) { status.textContent = status.getAttribute("data-done"); }
      });
    });
  });
}());
