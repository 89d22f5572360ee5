// Task attachments: drop a file onto the task (dialog or page) to upload it, and
// refuse a file over the size cap before sending it. The upload form works
// without this script; this only fills its file input and submits it.
// Loaded by tasks/attachments.html, which htmx may swap in many times: run once.
(function () {
  "use strict";
  if (window.internboardAttachments) {
    return;
  }
  window.internboardAttachments = true;

  // Where a drop lands: the task body (page or dialog), or the dialog around it.
  function dropZone(target) {
    return target && target.closest ? target.closest(".task-body, dialog") : null;
  }

  // The upload form of the task under an element, if the user may upload there.
  function uploadForm(target) {
    var zone = dropZone(target);
    return zone ? zone.querySelector("form[data-attachment-upload]") : null;
  }

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function showError(form, message) {
    var box = form.querySelector("[data-attachment-error]");
    if (box) {
      box.textContent = message;
      box.hidden = !message;
    }
  }

  // The server checks again; this spares sending a file that would be refused.
  function refusal(form, file) {
    if (!file) {
      return "";
    }
    if (file.size === 0) {
      return form.getAttribute("data-message-empty");
    }
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (limit && file.size > limit) {
      return form.getAttribute("data-message-too-large");
    }
    return "";
  }

  function setDropping(form, on) {
    var zone = dropZone(form);
    if (zone) {
      zone.classList.toggle("attachment-dropping", on);
    }
  }

  document.addEventListener("dragover", function (event) {
    var form = uploadForm(event.target);
    if (form && hasFiles(event)) {
      event.preventDefault(); // allow the drop
      event.dataTransfer.dropEffect = "copy";
      setDropping(form, true);
    }
  });

  document.addEventListener("dragleave", function (event) {
    var form = uploadForm(event.target);
    var zone = form && dropZone(form);
    if (zone && !zone.contains(event.relatedTarget)) {
      setDropping(form, false);
    }
  });

  document.addEventListener("drop", function (event) {
    var form = uploadForm(event.target);
    if (!form || !hasFiles(event)) {
      return;
    }
    event.preventDefault(); // the browser would otherwise open the file
    setDropping(form, false);
    var files = event.dataTransfer.files;
    if (!files.length) {
      return;
    }
    var input = form.querySelector("input[type=file]");
    var transfer = new DataTransfer();
    transfer.items.add(files[0]); // one file per upload
    input.files = transfer.files;
    form.requestSubmit();
  });

  // Capture: runs before htmx's own submit handler on the form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-attachment-upload]")) {
      return;
    }
    var input = form.querySelector("input[type=file]");
    var message = refusal(form, input && input.files[0]);
    showError(form, message);
    if (message) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.matches("form[data-attachment-upload]")) {
      showError(form, refusal(form, event.target.files && event.target.files[0]));
    }
  });
})();
