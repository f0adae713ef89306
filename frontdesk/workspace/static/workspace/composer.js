/* The ticket page's composer: reply or note mode (r / i), a small formatting editor, files by
   drag and drop or paste, a draft saved on the server as the agent types, @mention suggestions
   and a warning for @handles that match nobody. Without JavaScript the plain form still works:
   the textarea posts the text, the file input the files. No inline scripts (CSP). */
(function () {
  "use strict";

  var SAVE_DELAY = 800;
  var CHECK_DELAY = 500;
  var SUGGEST_DELAY = 120;
  var TOKEN = /[A-Za-z0-9._%+@-]/;

  function $(root, selector) { return root.querySelector(selector); }
  function csrf(form) { var i = $(form, "input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }
  function timeNow() {
    var d = new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

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

  /* ---- files: the input underneath, fed by drop and paste ---- */

  Composer.prototype.addFiles = function (list, inlineImages) {
    var errors = [];
    for (var i = 0; i < list.length; i++) {
      var file = list[i];
      if (inlineImages && /^image\/(png|jpeg|gif|webp)$/.test(file.type) && file.size <= this.maxInline) {
        this.inlineImage(file);
        continue;
      }
      if (this.maxFileBytes && file.size > this.maxFileBytes) {
        errors.push(file.name + ": " + formatSize(file.size) + " is over the limit of " + formatSize(this.maxFileBytes));
        continue;
      }
      if (this.files.length >= this.maxFiles) {
        errors.push(file.name + ": at most " + this.maxFiles + " files");
        continue;
      }
      this.files.push(file);
    }
    this.filesChanged(errors);
  };

  Composer.prototype.inlineImage = function (file) {
    var self = this;
    var reader = new FileReader();
    reader.onload = function () {
      self.editor.focus();
      var img = document.createElement("img");
      img.src = String(reader.result);
      img.alt = file.name && file.name !== "image.png" ? file.name : "";
      document.execCommand("insertHTML", false, img.outerHTML);
      self.changed();
    };
    reader.readAsDataURL(file);
  };

  Composer.prototype.filesChanged = function (errors) {
    var self = this;
    if (this.fileInput && typeof DataTransfer !== "undefined") {
      var dt = new DataTransfer();
      this.files.forEach(function (f) { dt.items.add(f); });
      this.fileInput.files = dt.files;
    }
    this.fileList.innerHTML = "";
    this.files.forEach(function (file, index) {
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = file.name + " (" + formatSize(file.size) + ")";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + file.name);
      remove.addEventListener("click", function () {
        self.files.splice(index, 1);
        self.filesChanged([]);
        if (self.fileInput) self.fileInput.focus();
      });
      li.appendChild(name);
      li.appendChild(remove);
      self.fileList.appendChild(li);
    });
    this.fileList.hidden = this.files.length === 0;
    if (errors) this.filesError.textContent = errors.join(" · ");
    if (this.fileInput) {
      if (errors && errors.length) this.fileInput.setAttribute("aria-invalid", "true");
      else this.fileInput.removeAttribute("aria-invalid");
    }
  };

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

    // drag and drop anywhere on the composer: images into the text, other files attached
    form.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        form.classList.add("is-dropping");
      }
    });
    form.addEventListener("dragleave", function (event) {
      if (!form.contains(event.relatedTarget)) form.classList.remove("is-dropping");
    });
    form.addEventListener("drop", function (event) {
      form.classList.remove("is-dropping");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      var intoText = self.enhanced && self.editor.contains(event.target);
      self.addFiles(event.dataTransfer.files, intoText);
    });

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

    // the toolbar's Reply / Internal note buttons and their keys (r, i)
    document.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[data-action=compose]") : null;
      if (!target) return;
      self.setMode(target.getAttribute("data-kind"));
      self.focusBody();
    });

    if (this.text().indexOf("@") >= 0) this.scheduleCheck();
  };

  // shared with composer_mentions.js, which adds the @mention methods to the prototype
  Composer.helpers = { $: $, csrf: csrf, TOKEN: TOKEN, SUGGEST_DELAY: SUGGEST_DELAY, CHECK_DELAY: CHECK_DELAY };
  window.FrontdeskComposer = Composer;

  function start() {
    var form = document.querySelector("form[data-composer]");
    if (form && !form.composer) form.composer = new Composer(form);
  }
  // deferred scripts run before DOMContentLoaded: waiting for it lets composer_mentions.js load first
  if (document.readyState === "complete") start();
  else { document.addEventListener("DOMContentLoaded", start); window.addEventListener("load", start); }
})();
