/* The ticket's properties panel: each field saves on change, sending only itself and the value the
   agent saw (seen_<name>); the server answers that field's fragment (saved, an error, or a conflict
   with both values). Followers are picked in a combobox with chips. Vanilla JS, no inline code (CSP). */
(function () {
  "use strict";

  var busy = {};   // field name -> a save is in flight
  var again = {};  // field name -> saved again once the answer is in (the agent changed it meanwhile)

  function panel() { return document.querySelector("form[data-props]"); }
  function propNamed(name) { return document.querySelector('form[data-props] [data-prop="' + name + '"]'); }

  /* the [name, value] pairs a form submit would send for the inputs of one field */
  function entries(prop) {
    var out = [];
    prop.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
      if (el.disabled || el.type === "submit" || el.type === "button") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { out.push([el.name, o.value]); });
        return;
      }
      out.push([el.name, el.value]);
    });
    return out;
  }
  function withoutSeen(pairs) { return pairs.filter(function (p) { return p[0].indexOf("seen_") !== 0; }); }

  function say(prop, text) {
    var status = prop.querySelector("[role=status]");
    if (!status) return;
    status.textContent = "";
    status.className = "prop-status";
    // a moment's empty region makes a repeated "Saved." be announced again
    window.requestAnimationFrame(function () { status.textContent = text; });
  }

  function swapOob(doc) {
    doc.querySelectorAll("[hx-swap-oob]").forEach(function (el) {
      var target = el.id && document.getElementById(el.id);
      if (!target) return;
      el.removeAttribute("hx-swap-oob");
      target.replaceWith(el);
      if (window.htmx) window.htmx.process(el);
    });
  }

  /* put the server's fragment in place of the field, keeping its live region and the focus */
  function replaceProp(live, fresh) {
    var focused = document.activeElement && live.contains(document.activeElement) ? document.activeElement.id : null;
    var keep = live.querySelector("[role=status]");
    var incoming = fresh.querySelector("[role=status]");
    if (keep && incoming) {
      var text = incoming.textContent;
      var cls = incoming.className;
      incoming.replaceWith(keep);
      keep.textContent = "";
      window.requestAnimationFrame(function () { keep.className = cls; keep.textContent = text; });
    }
    live.replaceWith(fresh);
    enhance(fresh);
    if (focused) {
      var again_ = document.getElementById(focused);
      if (again_) again_.focus();
    }
  }

  function save(prop, extra) {
    var form = panel();
    if (!form || !prop) return;
    var name = prop.getAttribute("data-prop");
    if (busy[name]) { again[name] = extra || true; return; }
    busy[name] = true;
    var sent = entries(prop);
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    var view = form.querySelector("input[name=view]");
    if (view) body.append("view", view.value);
    body.append("_field", name);
    sent.forEach(function (p) { body.append(p[0], p[1]); });
    (extra || []).forEach(function (p) { body.append(p[0], p[1]); });
    prop.setAttribute("aria-busy", "true");
    var status = prop.querySelector("[role=status]");
    if (status) { status.textContent = ""; status.className = "prop-status"; }
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.text().then(function (text) { return { status: response.status, text: text }; });
      })
      .then(function (answer) {
        var doc = new DOMParser().parseFromString(answer.text, "text/html");
        var fresh = doc.querySelector('[data-prop="' + name + '"]');
        var live = propNamed(name) || prop;
        if (!fresh) { live.removeAttribute("aria-busy"); say(live, live.closest("form").getAttribute("data-failed") || "Not saved."); return; }
        var changedMeanwhile = JSON.stringify(withoutSeen(entries(live))) !== JSON.stringify(withoutSeen(sent));
        if (answer.status === 409 || !changedMeanwhile) {
          if (answer.status === 409) delete again[name];  // the agent decides first
          replaceProp(live, fresh);
        } else {
          // keep what the agent typed since; take the new seen value so the next save is checked against it
          fresh.querySelectorAll("input[name^=seen_]").forEach(function (s) {
            var mine = live.querySelector('input[name="' + s.name + '"]');
            if (mine) mine.value = s.value;
          });
          live.removeAttribute("aria-busy");
          again[name] = again[name] || true;
        }
        swapOob(doc);
      })
      .catch(function () {
        var live = propNamed(name) || prop;
        live.removeAttribute("aria-busy");
        say(live, panel().getAttribute("data-offline") || "Not saved: the server could not be reached.");
      })
      .then(function () {
        busy[name] = false;
        var more = again[name];
        delete again[name];
        if (more) save(propNamed(name), more === true ? null : more);
      });
  }

  /* ---- followers: the token picker of tokens.js; each change saves the field ---- */

  function picker(root) {
    var prop = root.closest("[data-prop]");
    window.FrontdeskTokens.picker(root, function () { save(prop); });
  }

  function enhance(scope) {
    scope.querySelectorAll("[data-token-picker]").forEach(picker);
  }

  /* ---- events ---- */

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (!t.closest || !t.closest("form[data-props]") || t.hasAttribute("data-token-input")) return;
    if (t.name && t.name.indexOf("seen_") === 0) return;
    save(t.closest("[data-prop]"));
  });

  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.key !== "Enter" || !t.closest || !t.closest("form[data-props]")) return;
    if (t.tagName !== "INPUT" || t.type === "checkbox" || t.hasAttribute("data-token-input")) return;
    event.preventDefault();  // Enter saves this field (and never presses another button of the form)
    save(t.closest("[data-prop]"));
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (form.id === "assign-me-form") {
      // "Assign to me" (or the a key): pick the viewer in the assignee list and save that field
      event.preventDefault();
      var prop = propNamed("assignee");
      var select = prop && prop.querySelector("select[name=assignee]");
      var me = submitter && submitter.getAttribute("data-assign-me");
      if (!select || !me) { form.submit(); return; }
      select.value = me;
      save(prop);
      return;
    }
    if (!form.matches || !form.matches("form[data-props]")) return;
    event.preventDefault();
    if (submitter && submitter.name === "keep_theirs") save(submitter.closest("[data-prop]"), [["keep_theirs", submitter.value]]);
    else if (submitter && submitter.closest("[data-prop]")) save(submitter.closest("[data-prop]"));
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = panel();
    if (form) enhance(form);
  });
})();
