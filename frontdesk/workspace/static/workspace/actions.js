/* The ticket page's "More actions" menu (https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/) and the
   dialog of each action. Menu: Enter, Space or ArrowDown open it on the first item, ArrowUp on the last;
   ArrowDown/ArrowUp/Home/End move; Escape closes it and focus returns to the button; Tab closes it.
   Dialogs are modal <dialog>s: Tab and Shift+Tab stay inside, Escape or Cancel closes and focus returns to
   the menu button. A dialog the server rendered open (a refused action) opens on load with focus on the
   field in error. No inline script anywhere (CSP). */
(function () {
  "use strict";
  if (window.frontdeskTicketActions) return;
  window.frontdeskTicketActions = true;

  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled])," +
    " textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function menuButton() { return document.getElementById("actions-menu-button"); }
  function menu() { return document.getElementById("actions-menu"); }
  function items() { var m = menu(); return m ? Array.prototype.slice.call(m.querySelectorAll("[role=menuitem]")) : []; }

  function openMenu(focusLast) {
    var m = menu(), b = menuButton();
    if (!m || !b) return;
    m.hidden = false;
    b.setAttribute("aria-expanded", "true");
    var all = items();
    if (all.length) all[focusLast ? all.length - 1 : 0].focus();
  }
  function closeMenu(returnFocus) {
    var m = menu(), b = menuButton();
    if (!m || !b || m.hidden) return;
    m.hidden = true;
    b.setAttribute("aria-expanded", "false");
    if (returnFocus) b.focus();
  }

  function focusables(dialog) {
    return Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null || el === document.activeElement;
    });
  }

  function splitCount(dialog) {
    var out = dialog.querySelector("[data-split-count]");
    var form = dialog.querySelector("form");
    if (!out || !form) return;
    var n = document.querySelectorAll("input[name=message_ids][form='" + form.id + "']:checked").length;
    var text = out.getAttribute(n === 0 ? "data-none" : n === 1 ? "data-one" : "data-many") || "";
    out.textContent = text.replace("{n}", String(n));
  }

  function showDialog(dialog, focusTarget) {
    if (!dialog) return;
    if (dialog.open) dialog.close(); // rendered open by the server: reopen as a modal dialog
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
    splitCount(dialog);
    var target = focusTarget || dialog.querySelector("[aria-invalid=true]") || focusables(dialog)[0];
    if (target) target.focus();
  }

  function closeDialog(dialog) {
    if (dialog.open) dialog.close();
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target : null;
    if (!el) return;
    var button = el.closest("#actions-menu-button");
    if (button) {
      if (menu() && menu().hidden) openMenu(false); else closeMenu(false);
      return;
    }
    var item = el.closest("[data-open-dialog]");
    if (item) {
      closeMenu(false);
      showDialog(document.getElementById(item.getAttribute("data-open-dialog")));
      return;
    }
    var cancel = el.closest("[data-close-dialog]");
    if (cancel) { closeDialog(cancel.closest("dialog")); return; }
    if (!el.closest("[data-actions-menu]")) closeMenu(false);
  });

  document.addEventListener("keydown", function (event) {
    var b = menuButton();
    if (b && event.target === b && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      openMenu(event.key === "ArrowUp");
      event.preventDefault();
      return;
    }
    var item = event.target.closest && event.target.closest("#actions-menu [role=menuitem]");
    if (item) {
      var all = items(), i = all.indexOf(item);
      var next = null;
      if (event.key === "ArrowDown") next = all[(i + 1) % all.length];
      else if (event.key === "ArrowUp") next = all[(i - 1 + all.length) % all.length];
      else if (event.key === "Home") next = all[0];
      else if (event.key === "End") next = all[all.length - 1];
      else if (event.key === "Escape") { closeMenu(true); event.preventDefault(); event.stopPropagation(); return; }
      else if (event.key === "Tab") { closeMenu(false); return; }
      if (next) { next.focus(); event.preventDefault(); }
      return;
    }
    var dialog = event.target.closest && event.target.closest("dialog.action-dialog");
    if (dialog && event.key === "Tab") {
      var list = focusables(dialog);
      if (!list.length) return;
      var first = list[0], last = list[list.length - 1];
      if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
      else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
    }
  });

  // Escape on a modal dialog fires "cancel", then "close"; every close gives focus back to the menu button
  document.addEventListener("close", function (event) {
    if (!(event.target instanceof HTMLElement) || !event.target.matches("dialog.action-dialog")) return;
    var b = menuButton();
    if (b) b.focus();
  }, true);

  // a split that was refused comes back with the boxes that were ticked: tick them again
  function restoreSplit() {
    var form = document.getElementById("split-form");
    var ids = form && form.getAttribute("data-checked");
    if (!ids) return;
    ids.split(",").forEach(function (id) {
      var box = document.querySelector("input[name=message_ids][form=split-form][value='" + id.replace(/\D/g, "") + "']");
      if (box) box.checked = true;
    });
  }

  function setup() {
    restoreSplit();
    var opened = document.querySelector("dialog.action-dialog[data-open-on-load]");
    if (opened) showDialog(opened);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
