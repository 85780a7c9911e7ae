/* The dashboard's live counts: ask the server every 30 seconds (only while the page is
   visible) and offer to update the figures when the wave's answers have changed. */
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-live-url");
  var version = box.getAttribute("data-version");
  var news = document.getElementById("live-news");
  var updated = document.getElementById("live-updated");

  function show(data) {
    Object.keys(data).forEach(function (key) {
      var node = box.querySelector('[data-count="' + key + '"]');
      if (node) { node.textContent = String(data[key]); }
    });
    if (data.updated_at && updated) {
      updated.setAttribute("datetime", data.updated_at);
      updated.textContent = data.updated_at.slice(0, 16).replace("T", " ") + " UTC";
    }
    if (news && data.version !== version) { news.hidden = false; }
  }

  function check() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* offline for a moment: try again next time */ });
  }

  window.setInterval(check, 30000);
}());
