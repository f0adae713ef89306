/* Frontdesk workspace: keyboard shortcuts and small behaviours. No inline scripts anywhere (CSP). */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function overlay() { return document.getElementById("shortcuts-overlay"); }
  var overlayOpener = null;
  function toggleOverlay(show) {
    var el = overlay();
    if (!el || el.hidden === !show) return;
    el.hidden = !show;
    if (show) {
      overlayOpener = document.activeElement;
      var b = el.querySelector("button"); if (b) b.focus();
    } else if (overlayOpener && overlayOpener.focus) {
      overlayOpener.focus();  // back where the agent was
      overlayOpener = null;
    }
  }
  // a modal dialog: Tab and Shift+Tab stay inside it while it is open
  document.addEventListener("keydown", function (event) {
    var el = overlay();
    if (event.key !== "Tab" || !el || el.hidden) return;
    var items = Array.prototype.slice.call(el.querySelectorAll("button, a[href], input, select, textarea, [tabindex]"))
      .filter(function (n) { return !n.disabled && n.tabIndex >= 0; });
    if (!items.length) { event.preventDefault(); return; }
    var first = items[0], last = items[items.length - 1];
    if (!el.contains(document.activeElement)) { event.preventDefault(); first.focus(); }
    else if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-row]")); }
  function moveSelection(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (r) { return r.classList.contains("is-current"); });
    var next = Math.max(0, Math.min(all.length - 1, current + step));
    if (current >= 0) all[current].classList.remove("is-current");
    all[next].classList.add("is-current");
    var link = all[next].querySelector("a[data-row-link]");
    if (link) link.focus({ preventScroll: false });
  }

  function clickKey(key) {
    var el = document.querySelector('[data-key="' + key + '"]');
    if (!el) return false;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) { el.focus(); if (el.select && key === "/") el.select(); }
    else { el.click(); }
    return true;
  }

  // "Load remote images" on a message: the sanitiser kept their addresses aside (data-remote-src)
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-load-images]");
    if (!button) return;
    var message = button.closest("article") || document;
    Array.prototype.forEach.call(message.querySelectorAll("img[data-remote-src]"), function (img) {
      img.setAttribute("src", img.getAttribute("data-remote-src"));
      img.removeAttribute("data-remote-src");
    });
    var note = button.closest(".remote-images");
    if (note) note.hidden = true;
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      toggleOverlay(false);
      var suggest = document.getElementById("search-suggest");
      if (suggest) suggest.innerHTML = "";
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = event.target && event.target.closest && event.target.closest("form[data-submit-shortcut]");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    switch (event.key) {
      case "?": toggleOverlay(overlay() && overlay().hidden); event.preventDefault(); break;
      case "j": moveSelection(1); event.preventDefault(); break;
      case "k": moveSelection(-1); event.preventDefault(); break;
      case "x": {
        var cur = document.querySelector("[data-row].is-current input[type=checkbox]");
        if (cur) { cur.click(); event.preventDefault(); }
        break;
      }
      default:
        if (clickKey(event.key)) event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-action]") : null;
    if (!target) return;
    var action = target.getAttribute("data-action");
    if (action === "shortcuts") toggleOverlay(true);
    if (action === "close-overlay") toggleOverlay(false);
    if (action === "select-all") {
      var box = target;
      document.querySelectorAll("input[data-select-row]").forEach(function (c) { c.checked = box.checked; });
      updateBulk();
    }
    // "compose" (Reply / Internal note, keys r and i) is handled by composer.js
  });

  function updateBulk() {
    var checked = document.querySelectorAll("input[data-select-row]:checked").length;
    var bar = document.querySelector("[data-bulk-bar]");
    if (bar) {
      bar.hidden = checked === 0;
      var count = bar.querySelector("[data-bulk-count]");
      if (count) count.textContent = String(checked);
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[data-select-row]")) updateBulk();
  });
  document.addEventListener("htmx:afterSwap", updateBulk);
  document.addEventListener("DOMContentLoaded", updateBulk);
})();
