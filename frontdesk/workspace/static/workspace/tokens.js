/* A token picker: a combobox listing choices (agents, members), the chosen ones as removable chips.
   It enhances a fallback list of checkboxes ([data-token-fallback]) that works without JavaScript and
   stays the form's real input. props.js uses it for followers (saving on each change); settings forms
   mark theirs [data-token-auto]. Keyboard: type to filter, arrows move, Enter adds, Esc closes,
   Backspace in the empty box removes the last chip. No inline scripts anywhere (CSP). */
(function () {
  "use strict";

  function picker(root, changed) {
    var field = root.closest("[data-token-field], [data-prop]") || root.parentNode;
    var fallback = field.querySelector("[data-token-fallback]");
    var input = root.querySelector("[data-token-input]");
    var list = root.querySelector("[data-token-list]");
    var chips = root.querySelector("[data-chips]");
    var empty = root.querySelector("[data-token-empty]");
    var removeLabel = root.getAttribute("data-remove-label") || "Remove";
    var boxes = Array.prototype.slice.call(fallback.querySelectorAll("input[type=checkbox]"));
    var active = -1;
    fallback.hidden = true;
    root.hidden = false;

    function label(box) { return box.parentNode.textContent.trim(); }
    function shown() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }

    function drawChips() {
      chips.textContent = "";
      boxes.filter(function (b) { return b.checked; }).forEach(function (box) {
        var li = document.createElement("li");
        li.className = "chip";
        var span = document.createElement("span");
        span.textContent = label(box);
        var x = document.createElement("button");
        x.type = "button";
        x.className = "chip-remove";
        x.setAttribute("aria-label", removeLabel + " " + label(box));
        x.textContent = "\u00d7";
        x.addEventListener("click", function () { box.checked = false; drawChips(); input.focus(); changed(); });
        li.appendChild(span);
        li.appendChild(x);
        chips.appendChild(li);
      });
    }

    function close() {
      list.hidden = true;
      empty.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      var q = input.value.trim().toLowerCase();
      list.textContent = "";
      boxes.forEach(function (box, i) {
        if (box.checked || (q && label(box).toLowerCase().indexOf(q) < 0)) return;
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-index", String(i));
        li.textContent = label(box);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the focus in the input
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      var any = list.children.length > 0;
      list.hidden = !any;
      empty.hidden = any || !q;
      input.setAttribute("aria-expanded", any ? "true" : "false");
      move(any ? 0 : -1, true);
    }

    function move(to, absolute) {
      var opts = shown();
      if (!opts.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = absolute ? to : Math.max(0, Math.min(opts.length - 1, active + to));
      opts.forEach(function (o, i) {
        o.setAttribute("aria-selected", i === active ? "true" : "false");
        o.classList.toggle("is-active", i === active);
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", opts[active].id);
        opts[active].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(i) {
      boxes[i].checked = true;
      input.value = "";
      drawChips();
      close();
      input.focus();
      changed();
    }

    input.addEventListener("input", open);
    input.addEventListener("focus", function () { if (input.value) open(); });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) open(); else move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Enter") {
        e.preventDefault();  // never submits the form
        var opts = shown();
        if (!list.hidden && active >= 0 && opts[active]) choose(Number(opts[active].getAttribute("data-index")));
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.stopPropagation(); close(); }
      } else if (e.key === "Backspace" && !input.value) {
        var chosen = boxes.filter(function (b) { return b.checked; });
        if (chosen.length) { chosen[chosen.length - 1].checked = false; drawChips(); changed(); }
      }
    });
    drawChips();
  }

  window.FrontdeskTokens = { picker: picker };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-token-picker][data-token-auto]").forEach(function (root) {
      picker(root, function () {});
    });
  });
})();
