/* The composer's draft on the server (methods of composer.js's Composer): saved as the agent
   types, a newer draft from another tab offered instead of being overwritten, discarded on
   request, and a warning before leaving the page with unsaved edits. Loaded right after
   composer.js; the composer starts once the document is read, when every part is there. */
(function () {
  "use strict";

  var Composer = window.FrontdeskComposer;
  if (!Composer) return;
  var h = Composer.helpers;
  var $ = h.$, csrf = h.csrf;

  var SAVE_DELAY = 800;

  function timeNow() {
    var d = new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  /* ---- the draft on the server ---- */

  Composer.prototype.changed = function () {
    this.changes += 1;
    this.setStatus("");
    var self = this;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(function () { self.save(); }, SAVE_DELAY);
  };

  Composer.prototype.setStatus = function (text) { if (this.status) this.status.textContent = text; };

  Composer.prototype.fields = function () {
    var data = new URLSearchParams();
    var form = this.form;
    data.set("version", String(this.version));
    data.set("kind", this.mode());
    data.set("body_html", this.enhanced ? this.html() : this.textarea.value.replace(/[&<>]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c];
    }).replace(/\n/g, "<br>"));
    ["to", "cc", "bcc"].forEach(function (name) {
      var input = $(form, "input[name=" + name + "]");
      if (input) data.set(name, input.value);
    });
    var signature = $(form, "textarea[name=signature]");
    if (signature) { data.set("signature", signature.value); data.set("signature_present", "1"); }
    var submitAs = $(form, "select[name=submit_as]");
    if (submitAs) data.set("submit_as", submitAs.value);
    return data;
  };

  Composer.prototype.save = function () {
    var self = this;
    if (this.submitting || this.serverDraft) return;
    if (this.saving) { this.saveAgain = true; return; }
    var upTo = this.changes;
    this.saving = true;
    this.saveAgain = false;
    this.setStatus("Saving draft…");
    fetch(this.form.getAttribute("data-draft-url"), {
      method: "POST", credentials: "same-origin", body: this.fields(),
      headers: { "X-CSRFToken": csrf(this.form), "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return [response.status, data]; });
    }).then(function (result) {
      var status = result[0], data = result[1];
      self.saving = false;
      if (status === 200) {
        self.version = data.version;
        self.savedChanges = Math.max(self.savedChanges, upTo);
        self.setStatus(self.isEmpty() ? "" : "Draft saved " + timeNow());
        if (self.discard) self.discard.hidden = self.isEmpty();
      } else if (status === 409 && data.draft) {
        self.serverDraft = data.draft;
        self.conflict.hidden = false;
        self.setStatus("");
      } else {
        self.setStatus((data.error && data.error.message) || "The draft could not be saved.");
      }
      if (self.saveAgain || (self.changes > self.savedChanges && status === 200)) self.changed();
    }).catch(function () {
      self.saving = false;
      self.setStatus("The draft could not be saved (offline?). It is kept in this page.");
    });
  };

  Composer.prototype.loadServerDraft = function () {
    var d = this.serverDraft;
    if (!d) return;
    this.version = d.version;
    this.editor.innerHTML = d.body_html || "";
    var form = this.form;
    ["to", "cc", "bcc"].forEach(function (name) {
      var input = $(form, "input[name=" + name + "]");
      if (input) input.value = d[name] || "";
    });
    var signature = $(form, "textarea[name=signature]");
    if (signature && d.signature !== null && d.signature !== undefined) signature.value = d.signature;
    if (d.kind) {
      var input = $(form, "input[name=kind][value=" + d.kind + "]");
      if (input) { input.checked = true; form.setAttribute("data-mode", d.kind); this.describe(); }
    }
    this.serverDraft = null;
    this.conflict.hidden = true;
    this.savedChanges = this.changes;
    this.setStatus("Draft loaded");
  };

  Composer.prototype.keepMine = function () {
    if (!this.serverDraft) return;
    this.version = this.serverDraft.version;
    this.serverDraft = null;
    this.conflict.hidden = true;
    this.save();
  };

  Composer.prototype.discardDraft = function () {
    var self = this;
    clearTimeout(this.saveTimer);
    fetch(this.form.getAttribute("data-discard-url"), {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf(this.form) },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return [response.ok, data]; });
    }).then(function (result) {
      if (!result[0]) { self.setStatus("The draft could not be discarded."); return; }
      self.editor.innerHTML = "";
      self.textarea.value = "";
      Array.prototype.forEach.call(self.form.querySelectorAll("[data-default]"), function (el) {
        el.value = el.getAttribute("data-default");
      });
      self.files = [];
      self.filesChanged([]);
      self.version = result[1].version || self.version;
      self.savedChanges = self.changes;
      self.unknown = [];
      self.showUnknown();
      if (self.discard) self.discard.hidden = true;
      self.setStatus("Draft discarded");
      self.focusBody();
    });
  };

  Composer.prototype.unsaved = function () {
    return !this.submitting && (this.changes > this.savedChanges || this.files.length > 0);
  };

  Composer.prototype.bindDraft = function () {
    var self = this;
    if (this.conflict) {
      $(this.conflict, "[data-draft-load]").addEventListener("click", function () { self.loadServerDraft(); });
      $(this.conflict, "[data-draft-keep]").addEventListener("click", function () { self.keepMine(); });
    }
    if (this.discard) this.discard.addEventListener("click", function () { self.discardDraft(); });

    window.addEventListener("beforeunload", function (event) {
      if (!self.unsaved()) return;
      event.preventDefault();
      event.returnValue = "";
    });
  };
})();
