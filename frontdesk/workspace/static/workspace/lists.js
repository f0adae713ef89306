/* Ticket lists: the filter menus (one open at a time, Esc or a click elsewhere closes, the chosen
   values shown on the button as they are ticked). No inline scripts anywhere (CSP). */
(function () {
  "use strict";

  function menus() { return Array.prototype.slice.call(document.querySelectorAll("[data-filter-menu]")); }

  function summarise(menu) {
    var value = menu.querySelector("[data-filter-value]");
    if (!value) return;
    var chosen = Array.prototype.slice.call(menu.querySelectorAll("input:checked")).map(function (input) {
      return input.parentNode.textContent.trim();
    });
    value.textContent = chosen.length ? chosen.join(", ") : menu.getAttribute("data-any");
  }

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("[data-filter-menu]") || !menu.open) return;
    menus().forEach(function (other) { if (other !== menu) other.open = false; });
  }, true);

  document.addEventListener("change", function (event) {
    var menu = event.target.closest && event.target.closest("[data-filter-menu]");
    if (menu) summarise(menu);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        var summary = menu.querySelector("summary");
        if (summary && menu.contains(document.activeElement)) summary.focus();
      }
    });
  });

  document.addEventListener("click", function (event) {
    var inside = event.target.closest && event.target.closest("[data-filter-menu]");
    menus().forEach(function (menu) { if (menu !== inside) menu.open = false; });
  });
})();
