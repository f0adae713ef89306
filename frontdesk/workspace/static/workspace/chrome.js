/* The workspace's frame: the brand's colour and the notification bell. Loaded in <head> without
   defer, so the colour is set before the page is drawn. No inline scripts or styles (CSP): the
   colour is set through the CSSOM, from a value the server already checked, and checked again. */
(function () {
  "use strict";
  var HEX = /^#[0-9a-f]{6}$/i;
  var root = document.documentElement;
  var accent = root.getAttribute("data-brand-accent");
  var ink = root.getAttribute("data-brand-ink");
  if (accent && HEX.test(accent)) root.style.setProperty("--brand", accent);
  if (ink && HEX.test(ink)) root.style.setProperty("--brand-ink", ink);

  function bell() { return document.querySelector("[data-bell]"); }

  function csrfToken() {
    var body = document.body;
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function markAllShown(el) {
    Array.prototype.forEach.call(el.querySelectorAll(".bell-list li.unread"), function (li) { li.classList.remove("unread"); });
    var count = el.querySelector("[data-bell-count]");
    if (count) count.remove();
    var button = el.querySelector("[data-bell-read-all]");
    if (button) button.remove();
    var label = el.querySelector("summary .visually-hidden");
    if (label) label.textContent = label.textContent.split(",")[0];
  }

  document.addEventListener("click", function (event) {
    var el = bell();
    if (!el) return;
    var button = event.target.closest && event.target.closest("[data-bell-read-all]");
    if (button) {
      event.preventDefault();
      button.disabled = true;
      fetch(button.getAttribute("data-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/json" }, body: "{\"all\": true}"
      }).then(function (response) {
        if (response.ok) markAllShown(el); else button.disabled = false;
      }, function () { button.disabled = false; });
      return;
    }
    if (el.open && !el.contains(event.target)) el.open = false;  // a click elsewhere closes the list
  });

  document.addEventListener("keydown", function (event) {
    var el = bell();
    if (event.key === "Escape" && el && el.open) {
      el.open = false;
      var summary = el.querySelector("summary");
      if (summary) summary.focus();
    }
  });
})();
