/* The composer's @mentions (methods of composer.js's Composer): suggestions of agents while a
   note is written, and the handles that match nobody, flagged before sending. Loaded right after
   composer.js; the composer starts once the document is read, when both are there. */
(function () {
  "use strict";

  var Composer = window.FrontdeskComposer;
  if (!Composer) return;
  var h = Composer.helpers;
  var $ = h.$, csrf = h.csrf, TOKEN = h.TOKEN, SUGGEST_DELAY = h.SUGGEST_DELAY, CHECK_DELAY = h.CHECK_DELAY;

  /* ---- @mentions: suggestions while typing, and handles that match nobody ---- */

  Composer.prototype.mentionAtCaret = function () {
    var sel = window.getSelection();
    if (!sel || !sel.rangeCount || !sel.isCollapsed) return null;
    var node = sel.anchorNode;
    if (!node || node.nodeType !== 3 || !this.editor.contains(node)) return null;
    var text = node.textContent;
    var end = sel.anchorOffset;
    var start = end;
    while (start > 0 && TOKEN.test(text.charAt(start - 1)) && text.charAt(start - 1) !== "@") start -= 1;
    if (start === 0 || text.charAt(start - 1) !== "@") return null;
    var at = start - 1;
    if (at > 0 && /[\w@.]/.test(text.charAt(at - 1))) return null;  // an address, not a mention
    return { node: node, start: at, end: end, query: text.slice(start, end) };
  };

  Composer.prototype.suggest = function () {
    var self = this;
    var found = this.mode() === "note" && this.enhanced ? this.mentionAtCaret() : null;
    if (!found) { this.closeSuggestions(); return; }
    this.mention = found;
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(function () {
      var url = self.form.getAttribute("data-mentions-url") + "?q=" + encodeURIComponent(found.query);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { agents: [] }; })
        .then(function (data) {
          if (self.mention !== found) return;  // the caret moved on meanwhile
          self.showSuggestions(data.agents || []);
        });
    }, SUGGEST_DELAY);
  };

  Composer.prototype.showSuggestions = function (agents) {
    var self = this;
    this.options = agents;
    this.listbox.innerHTML = "";
    if (!agents.length) { this.closeSuggestions(); this.mentionStatus.textContent = "No agent matches"; return; }
    agents.forEach(function (agent, i) {
      var li = document.createElement("li");
      li.id = "composer-mention-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "mention-name";
      name.textContent = agent.name;
      var email = document.createElement("span");
      email.className = "mention-email";
      email.textContent = agent.email;
      li.appendChild(name);
      li.appendChild(email);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); self.pick(i); });
      self.listbox.appendChild(li);
    });
    this.listbox.hidden = false;
    this.setActive(0);
    this.mentionStatus.textContent = agents.length + (agents.length === 1 ? " agent" : " agents") +
      " found; arrow keys to choose, Enter to insert";
  };

  Composer.prototype.setActive = function (index) {
    var items = this.listbox.querySelectorAll("[role=option]");
    if (!items.length) return;
    this.active = (index + items.length) % items.length;
    Array.prototype.forEach.call(items, function (li, i) { li.setAttribute("aria-selected", String(i === this.active)); }, this);
    this.editor.setAttribute("aria-activedescendant", items[this.active].id);
  };

  Composer.prototype.closeSuggestions = function () {
    this.mention = null;
    this.options = [];
    this.active = -1;
    if (!this.listbox) return;
    this.listbox.hidden = true;
    this.listbox.innerHTML = "";
    if (this.editor) this.editor.removeAttribute("aria-activedescendant");
  };

  Composer.prototype.pick = function (index) {
    var agent = this.options[index];
    var m = this.mention;
    if (!agent || !m || !m.node.parentNode) { this.closeSuggestions(); return; }
    var range = document.createRange();
    range.setStart(m.node, m.start);
    range.setEnd(m.node, Math.min(m.end, m.node.textContent.length));
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    document.execCommand("insertText", false, "@" + agent.handle + " ");
    this.closeSuggestions();
    this.mentionStatus.textContent = agent.name + " mentioned";
    this.changed();
    this.scheduleCheck();
  };

  Composer.prototype.scheduleCheck = function () {
    var self = this;
    clearTimeout(this.checkTimer);
    if (this.mode() !== "note" || this.text().indexOf("@") < 0) { this.unknown = []; this.showUnknown(); return; }
    this.checkTimer = setTimeout(function () { self.check(); }, CHECK_DELAY);
  };

  Composer.prototype.check = function () {
    var self = this;
    var data = new URLSearchParams();
    if (this.enhanced) data.set("body_html", this.html()); else data.set("body", this.textarea.value);
    return fetch(this.form.getAttribute("data-mentions-check-url"), {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "X-CSRFToken": csrf(this.form), "Accept": "application/json" },
    }).then(function (r) { return r.ok ? r.json() : { unknown: [] }; }).then(function (result) {
      // the handle still being typed is not flagged yet
      var typing = self.enhanced && document.activeElement === self.editor ? self.mentionAtCaret() : null;
      var current = typing ? typing.query.toLowerCase() : null;
      self.unknown = (result.unknown || []).filter(function (h) { return h !== current; });
      self.showUnknown();
    });
  };

  Composer.prototype.showUnknown = function () {
    if (!this.warning) return;
    var list = $(this.warning, "[data-unknown-list]");
    var before = list.textContent;
    list.textContent = this.unknown.map(function (h) { return "@" + h; }).join(", ");
    if (before !== list.textContent && this.confirm) this.confirm.checked = false;  // confirm what is shown
    this.warning.hidden = this.unknown.length === 0;
  };

})();
