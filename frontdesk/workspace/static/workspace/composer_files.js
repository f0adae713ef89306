/* The composer's files (methods of composer.js's Composer): the file input underneath, fed by
   drag and drop and paste, with the size and count limits checked before sending, and small
   images pasted or dropped into the text inline. Loaded right after composer.js; the composer
   starts once the document is read, when every part is there. */
(function () {
  "use strict";

  var Composer = window.FrontdeskComposer;
  if (!Composer) return;

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

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

  Composer.prototype.bindFiles = function () {
    var self = this;
    var form = this.form;
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
  };
})();
