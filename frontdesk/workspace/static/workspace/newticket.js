/* New ticket page: the requester picker, an ARIA 1.2 combobox (a text box with a list of
   customers found as you type, chosen with the arrow keys and Enter, or with the mouse).
   Without JavaScript the text box still works: an exact email address or phone number picks. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-new-ticket]");
  if (!form) return;
  var input = form.querySelector("[data-requester-input]");
  var hidden = form.querySelector("[data-requester-id]");
  var list = document.getElementById("requester-options");
  var chosen = document.getElementById("requester-chosen");
  var status = document.getElementById("requester-status");
  var org = form.querySelector("input[name=organisation]");
  var url = form.getAttribute("data-suggest-url");
  var timer = null;
  var asked = 0;
  var active = -1;

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]:not([aria-disabled=true])"));
  }

  function setActive(index) {
    var all = options();
    active = index;
    all.forEach(function (option, n) {
      option.setAttribute("aria-selected", n === index ? "true" : "false");
      option.classList.toggle("is-active", n === index);
    });
    if (index >= 0 && all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) setActive(-1);
  }

  function load() {
    var params = new URLSearchParams({ suggest: "1", q: input.value.trim() });
    if (org && org.value) params.set("organisation", org.value);
    var mine = ++asked;
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (mine !== asked) return;  // an older answer arriving late
        list.innerHTML = html;
        var count = list.querySelectorAll("[data-id]").length;
        show(list.children.length > 0 && document.activeElement === input);
        status.textContent = count === 1 ? "1 customer found" : count + " customers found";
      })
      .catch(function () { /* the text box still works: an exact address picks */ });
  }

  function setMode(mode) {
    var radio = form.querySelector("input[name=requester_mode][value=" + mode + "]");
    if (radio && !radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function choose(option) {
    if (option.hasAttribute("data-new")) {
      var field = form.querySelector(option.getAttribute("data-new") === "email" ? "#requester-email" : "#requester-phone");
      field.value = option.getAttribute("data-value");
      hidden.value = "";
      chosen.textContent = "";
      show(false);
      setMode("new");
      form.querySelector("#requester-name").focus();
      return;
    }
    hidden.value = option.getAttribute("data-id");
    input.value = option.getAttribute("data-label");
    var detail = option.getAttribute("data-detail");
    chosen.textContent = "Selected: " + input.value + (detail ? " · " + detail : "");
    show(false);
  }

  input.addEventListener("input", function () {
    hidden.value = "";
    chosen.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(load, 180);
  });
  input.addEventListener("focus", function () {
    if (!hidden.value && (input.value.trim() || (org && org.value))) load();
  });
  input.addEventListener("keydown", function (event) {
    var all = options();
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.hidden) { load(); return; }
      setActive(Math.min(all.length - 1, active + 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (!list.hidden) setActive(Math.max(0, active - 1));
    } else if (event.key === "Enter") {
      // Enter picks; it never submits the form from the picker (Ctrl+Enter still does)
      if (event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      if (!list.hidden && active >= 0 && all[active]) choose(all[active]);
      else if (!list.hidden && all.length === 1) choose(all[0]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.stopPropagation();
      show(false);
    }
  });
  input.addEventListener("blur", function () { show(false); });
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus in the box
  list.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option && option.getAttribute("aria-disabled") !== "true") choose(option);
  });

  var clear = form.querySelector("[data-clear-org]");
  if (clear && org) {
    clear.addEventListener("click", function (event) {
      event.preventDefault();
      org.value = "";
      var note = form.querySelector("[data-org-filter]");
      if (note) note.hidden = true;
      input.focus();
      load();
    });
  }
})();
