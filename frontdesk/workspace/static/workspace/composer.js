/* The ticket page's composer: reply or note mode (r / i), a small formatting editor, files by
   drag and drop or paste, a draft saved on the server as the agent types, @mention suggestions
   and a warning for @handles that match nobody. Without JavaScript the plain form still works:
   the textarea posts the text, the file input the files. No inline scripts (CSP).
   This file holds the Composer itself (modes, the editor, formatting, the form's events); the other
   parts add their methods to its prototype, each loaded right after it: composer_files.js (files),
   composer_drafts.js (the draft on the server) and composer_mentions.js (@mentions). */
(function () {
  "use strict";

  var CHECK_DELAY = 500;
  var SUGGEST_DELAY = 120;
  var TOKEN = /[A-Za-z0-9._%+@-]/;

  function $(root, selector) { return root.querySelector(selector); }
  function csrf(form) { var i = $(form, "input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }

  function Composer(form) {
    this.form = form;
    this.editor = $(form, "[data-editor]");
    this.textarea = $(form, "textarea[name=body]");
    this.bodyHtml = $(form, "[data-body-html]");
    this.toolbar = $(form, "[data-toolbar]");
    this.fileInput = $(form, "input[type=file][name=files]");
    this.fileList = $(form, "[data-file-list]");
    this.filesError = $(form, "[data-files-error]");
    this.status = $(form, "[data-draft-status]");
    this.discard = $(form, "[data-discard-draft]");
    this.conflict = $(form, "[data-draft-conflict]");
    this.warning = $(form, "[data-mentions-warning]");
    this.confirm = $(form, "[data-confirm-mentions]");
    this.listbox = $(form, "[data-mention-list]");
    this.mentionStatus = $(form, "[data-mention-status]");
    this.version = parseInt(form.getAttribute("data-draft-version") || "0", 10) || 0;
    this.maxFileBytes = parseInt(form.getAttribute("data-max-file-bytes") || "0", 10) || 0;
    this.maxFiles = parseInt(form.getAttribute("data-max-files") || "20", 10);
    this.maxInline = parseInt(form.getAttribute("data-max-inline-bytes") || "262144", 10);
    this.files = [];
    this.changes = 0;        // edits since the page loaded
    this.savedChanges = 0;   // edits the server has
    this.saving = false;
    this.saveTimer = null;
    this.checkTimer = null;
    this.suggestTimer = null;
    this.unknown = [];
    this.submitting = false;
    this.serverDraft = null;
    this.mention = null;     // {node, start, end, query} while the suggestions are open
    this.options = [];
    this.active = -1;
    this.enhance();
    this.bind();
  }

  Composer.prototype.mode = function () { return this.form.getAttribute("data-mode") || "public"; };

  Composer.prototype.describe = function () {
    // screen readers hear the mode of the message being written (the other label is hidden)
    if (this.editor) {
      var label = this.mode() === "note" ? "composer-note-label" : "composer-public-label";
      this.editor.setAttribute("aria-describedby", label + " composer-hint");
    }
  };

  Composer.prototype.enhance = function () {
    if (!this.editor) return;
    this.textarea.hidden = true;
    this.textarea.setAttribute("aria-hidden", "true");
    this.textarea.tabIndex = -1;
    this.editor.hidden = false;
    if (this.toolbar) this.toolbar.hidden = false;
    if (!this.editor.innerHTML.trim() && this.textarea.value.trim()) this.editor.textContent = this.textarea.value;
    this.enhanced = true;
    this.describe();
  };

  Composer.prototype.focusBody = function () {
    var target = this.enhanced ? this.editor : this.textarea;
    target.focus();
    if (this.enhanced) {
      var range = document.createRange();
      range.selectNodeContents(this.editor);
      range.collapse(false);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  };

  Composer.prototype.setMode = function (kind) {
    var input = $(this.form, "input[name=kind][value=" + kind + "]");
    if (!input) return;
    input.checked = true;
    this.form.setAttribute("data-mode", kind);
    this.describe();
    if (kind !== "note") this.closeSuggestions();
    this.changed();
    this.scheduleCheck();
  };

  /* ---- what the editor holds ---- */

  Composer.prototype.isEmpty = function () {
    if (!this.enhanced) return !this.textarea.value.trim();
    return !this.editor.textContent.trim() && !this.editor.querySelector("img");
  };
  Composer.prototype.html = function () { return this.enhanced && !this.isEmpty() ? this.editor.innerHTML : ""; };
  Composer.prototype.text = function () { return this.enhanced ? this.editor.innerText : this.textarea.value; };
  Composer.prototype.sync = function () {
    if (!this.enhanced) return;
    this.bodyHtml.value = this.html();
    this.textarea.value = this.isEmpty() ? "" : this.text();
  };

  /* ---- formatting ---- */

  Composer.prototype.format = function (what) {
    this.editor.focus();
    switch (what) {
      case "bold": document.execCommand("bold"); break;
      case "italic": document.execCommand("italic"); break;
      case "ul": document.execCommand("insertUnorderedList"); break;
      case "ol": document.execCommand("insertOrderedList"); break;
      case "quote": document.execCommand("formatBlock", false, "blockquote"); break;
      case "code": this.code(); break;
      case "link": this.link(); break;
      case "image": { var picker = $(this.form, "[data-image-input]"); if (picker) picker.click(); return; }
    }
    this.changed();
  };

  Composer.prototype.code = function () {
    var sel = window.getSelection();
    var text = sel ? sel.toString() : "";
    var code = document.createElement("code");
    code.textContent = text || "code";
    document.execCommand("insertHTML", false, code.outerHTML);
  };

  Composer.prototype.link = function () {
    var sel = window.getSelection();
    var range = sel && sel.rangeCount ? sel.getRangeAt(0).cloneRange() : null;
    var address = window.prompt(this.form.getAttribute("data-link-prompt") || "Link address (https://…)", "https://");
    if (!address || address === "https://") return;
    if (!/^(https?:\/\/|mailto:)/i.test(address)) address = "https://" + address;
    this.editor.focus();
    if (range) { sel.removeAllRanges(); sel.addRange(range); }
    if (range && !range.collapsed) {
      document.execCommand("createLink", false, address);
    } else {
      var a = document.createElement("a");
      a.href = address;
      a.textContent = address;
      document.execCommand("insertHTML", false, a.outerHTML);
    }
  };

  /* ---- events ---- */

  Composer.prototype.bind = function () {
    var self = this;
    var form = this.form;

    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t.name === "kind") { self.setMode(t.value); return; }
      if (t === self.fileInput) {
        self.files = self.files.concat(Array.prototype.slice.call(t.files));
        var all = self.files;
        self.files = [];
        self.addFiles(all, false);
        return;
      }
      if (t.matches("[data-image-input]")) { if (t.files.length) self.inlineImage(t.files[0]); t.value = ""; return; }
      if (t.matches("[data-confirm-mentions]")) return;
      self.changed();
    });
    form.addEventListener("input", function (event) {
      if (event.target === self.editor) {
        self.changed();
        self.suggest();
        self.scheduleCheck();
      } else if (event.target === self.textarea) {
        self.changed();
        self.scheduleCheck();
      } else if (event.target.matches("[data-recipient], textarea[name=signature]")) {
        self.changed();
      }
    });

    if (this.toolbar) {
      this.toolbar.addEventListener("mousedown", function (event) {
        if (event.target.closest("[data-format]")) event.preventDefault();  // keep the editor's selection
      });
      this.toolbar.addEventListener("click", function (event) {
        var button = event.target.closest("[data-format]");
        if (button) self.format(button.getAttribute("data-format"));
      });
    }

    if (this.editor) {
      this.editor.addEventListener("keydown", function (event) {
        if (!self.listbox.hidden && self.options.length) {
          if (event.key === "ArrowDown") { event.preventDefault(); self.setActive(self.active + 1); return; }
          if (event.key === "ArrowUp") { event.preventDefault(); self.setActive(self.active - 1); return; }
          if ((event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey) {
            event.preventDefault(); self.pick(self.active); return;
          }
          if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); self.closeSuggestions(); return; }
        }
        if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
          var key = event.key.toLowerCase();
          if (key === "b") { event.preventDefault(); self.format("bold"); }
          else if (key === "i") { event.preventDefault(); self.format("italic"); }
          else if (key === "k") { event.preventDefault(); self.format("link"); }
        }
      });
      this.editor.addEventListener("blur", function () { self.closeSuggestions(); });
      this.editor.addEventListener("paste", function (event) {
        var data = event.clipboardData;
        if (!data) return;
        if (data.files && data.files.length) {
          event.preventDefault();
          self.addFiles(data.files, true);
          return;
        }
        var html = data.getData("text/html");
        if (!html) return;  // plain text: the browser inserts it as text
        event.preventDefault();  // rich text keeps its formatting, never its styles or scripts
        var doc = new DOMParser().parseFromString(html, "text/html");
        Array.prototype.forEach.call(doc.querySelectorAll("script,style,meta,link,iframe,object"), function (n) { n.remove(); });
        Array.prototype.forEach.call(doc.body.querySelectorAll("*"), function (n) {
          Array.prototype.slice.call(n.attributes).forEach(function (a) {
            var keep = (a.name === "href" && /^(https?:|mailto:)/i.test(a.value.trim())) ||
              (a.name === "src" && /^(https?:|data:image\/)/i.test(a.value.trim())) || a.name === "alt";
            if (!keep) n.removeAttribute(a.name);
          });
        });
        document.execCommand("insertHTML", false, doc.body.innerHTML);
      });
    }

    this.bindFiles();  // composer_files.js: drag and drop

    form.addEventListener("submit", function (event) {
      self.sync();
      if (self.mode() === "note" && self.unknown.length && !(self.confirm && self.confirm.checked)) {
        event.preventDefault();
        self.warning.hidden = false;
        if (self.confirm) self.confirm.focus();
        return;
      }
      self.submitting = true;
      clearTimeout(self.saveTimer);
    });

    this.bindDraft();  // composer_drafts.js: the conflict and discard buttons, leaving with unsaved edits

    // the toolbar's Reply / Internal note buttons and their keys (r, i)
    document.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[data-action=compose]") : null;
      if (!target) return;
      self.setMode(target.getAttribute("data-kind"));
      self.focusBody();
    });

    if (this.text().indexOf("@") >= 0) this.scheduleCheck();
  };

  // shared with the parts that add their methods to the prototype (composer_files.js, composer_drafts.js,
  // composer_mentions.js)
  Composer.helpers = { $: $, csrf: csrf, TOKEN: TOKEN, SUGGEST_DELAY: SUGGEST_DELAY, CHECK_DELAY: CHECK_DELAY };
  window.FrontdeskComposer = Composer;

  function start() {
    var form = document.querySelector("form[data-composer]");
    if (form && !form.composer) form.composer = new Composer(form);
  }
  // deferred scripts run before DOMContentLoaded: waiting for it lets the other parts load first
  if (document.readyState === "complete") start();
  else { document.addEventListener("DOMContentLoaded", start); window.addEventListener("load", start); }
})();
