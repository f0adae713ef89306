/* The top-bar search box as an ARIA 1.2 combobox (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/).
   HTMX fills #search-suggest (a listbox) as the agent types; this file sets the combobox roles and states
   itself, so base.html only loads it. Focus stays in the input: ArrowDown/ArrowUp move the active option
   (aria-activedescendant), Enter opens it (with none active, Enter searches), Escape closes the list.
   Loaded once even if a page includes it twice. No inline script anywhere (CSP). */
(function () {
  "use strict";
  if (window.frontdeskSearchCombobox) return;
  window.frontdeskSearchCombobox = true;

  var input, list, status;

  function options() {
    if (!list) return [];
    return Array.prototype.filter.call(list.querySelectorAll("[role=option]"), function (o) {
      return o.getAttribute("aria-disabled") !== "true";
    });
  }
  function hasContent() { return !!(list && list.firstElementChild); }
  function active() {
    var id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function setActive(option) {
    var current = active();
    if (current) current.setAttribute("aria-selected", "false");
    if (!option) { input.removeAttribute("aria-activedescendant"); return; }
    option.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", option.id);
    if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
  }

  function open() {
    if (!hasContent()) return false;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    return true;
  }
  function close() {
    setActive(null);
    input.setAttribute("aria-expanded", "false");
    if (list) list.hidden = true;
  }

  function move(step) {
    var all = options();
    if (!all.length) return;
    var index = all.indexOf(active());
    var next;
    if (index < 0) next = step > 0 ? 0 : all.length - 1;
    else next = (index + step + all.length) % all.length;
    setActive(all[next]);
  }

  function announce(text) {
    if (!status) return;
    status.textContent = text || "";
  }

  function onKey(event) {
    if (event.altKey && event.key === "ArrowDown") { open(); event.preventDefault(); return; }
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (input.getAttribute("aria-expanded") !== "true" && !open()) return;
        move(event.key === "ArrowDown" ? 1 : -1);
        event.preventDefault();
        break;
      case "Enter": {
        var option = input.getAttribute("aria-expanded") === "true" ? active() : null;
        if (option && option.getAttribute("href")) {
          event.preventDefault();
          window.location.assign(option.getAttribute("href"));
        }
        break; // no active option: the form submits and searches (a ticket number opens the ticket)
      }
      case "Escape":
        if (input.getAttribute("aria-expanded") === "true") { close(); event.preventDefault(); }
        break; // closed already: the search input's own Escape clears it
      default:
        break;
    }
  }

  function setup() {
    input = document.getElementById("global-search-input");
    list = document.getElementById("search-suggest");
    if (!input || !list) return;
    if (!list.id) list.id = "search-suggest";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-haspopup", "listbox");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    list.setAttribute("role", "listbox");
    if (!list.hasAttribute("aria-label") && !list.hasAttribute("aria-labelledby")) {
      list.setAttribute("aria-label", input.getAttribute("placeholder") || "Search results");
    }
    status = document.getElementById("search-suggest-status");
    if (!status) {
      status = document.createElement("p");
      status.id = "search-suggest-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      list.parentNode.insertBefore(status, list.nextSibling);
    }

    input.addEventListener("keydown", onKey);
    input.addEventListener("focus", function () { if (hasContent()) open(); });
    input.addEventListener("input", function () { setActive(null); });
    // a click on an option must not blur the input first (the list would close before the click lands)
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest && event.target.closest("[role=option]");
      if (option && option !== active() && option.getAttribute("aria-disabled") !== "true") setActive(option);
    });
    input.addEventListener("blur", close);

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target !== list) return;
      setActive(null);
      if (!hasContent()) { close(); return; }
      if (document.activeElement === input) open();
      else close();
      var said = list.querySelector("[data-announce]");
      announce(said ? said.getAttribute("data-announce") : "");
    });
    // app.js empties the list on Escape anywhere: keep the states true to what is shown
    new MutationObserver(function () { if (!hasContent()) close(); }).observe(list, { childList: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
