// In-place editing of a task (the board's task dialog and the task page).
// Each field of tasks/task_detail.html#inline-field has a display, an "Edit"
// button and a one-field form, all rendered by the server; without this script
// the buttons and forms stay hidden and the whole form further down edits the
// task. Here: click the value (or its button) to edit; Enter or leaving the
// field saves (in the description Ctrl+Enter, as Enter is a new line); Esc
// cancels that field only. The server answers with the field again: its new
// value and "Saved", or why not, shown next to the field in a polite live region.
// Every save sends the version the task body holds (data-version), which each
// answer renews, so the fields of one body never conflict with each other.
(function () {
  "use strict";

  function fieldOf(element) {
    return element && element.closest ? element.closest(".task-body [data-field]") : null;
  }

  function editorOf(field) {
    return field.querySelector("[data-inline-editor]");
  }

  function controls(editor) {
    return Array.prototype.filter.call(editor.elements, function (control) {
      return control.name && control.type !== "hidden" && control.type !== "submit" && control.type !== "button";
    });
  }

  // The editor's values as a list of [name, value, checked] (restored on cancel).
  function snapshot(editor) {
    return controls(editor).map(function (control) {
      return [control.name, control.value, control.checked];
    });
  }

  function restore(editor, values) {
    controls(editor).forEach(function (control, index) {
      var saved = values[index];
      if (!saved) {
        return;
      }
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = saved[2];
      } else {
        control.value = saved[1];
      }
    });
  }

  function isEditing(field) {
    var editor = editorOf(field);
    return !!editor && !editor.hidden;
  }

  // A field whose editor is open with values other than those it opened with.
  function isDirty(field) {
    if (!isEditing(field) || field.classList.contains("is-saving")) {
      return false;
    }
    return JSON.stringify(snapshot(editorOf(field))) !== JSON.stringify(field._opened || []);
  }

  function feedback(field, text, isError) {
    var line = field.querySelector("[data-inline-feedback]");
    if (line) {
      line.textContent = text;
      line.classList.toggle("inline-feedback-error", !!isError);
    }
  }

  function focusFirst(editor) {
    var first = controls(editor)[0];
    if (first) {
      first.focus();
      if (first.select && (first.type === "text" || first.tagName === "TEXTAREA")) {
        first.select();
      }
    }
  }

  function open(field) {
    var editor = editorOf(field);
    if (!editor || isEditing(field)) {
      return;
    }
    field._opened = snapshot(editor);
    feedback(field, "", false);
    editor.hidden = false;
    field.classList.add("is-editing");
    focusFirst(editor);
  }

  function close(field, returnFocus) {
    var editor = editorOf(field);
    editor.hidden = true;
    field.classList.remove("is-editing");
    field.removeAttribute("data-state");
    if (returnFocus) {
      var button = field.querySelector("[data-inline-open]");
      if (button) {
        button.focus();
      }
    }
  }

  function cancel(field) {
    var editor = editorOf(field);
    var hadFocus = editor.contains(document.activeElement);
    if (field.getAttribute("data-state") === "conflict") {
      // The editor holds what was typed against an old version: show the task as it is.
      reloadBody(field.closest(".task-body"));
      return;
    }
    restore(editor, field._opened || []);
    feedback(field, "", false);
    close(field, hadFocus);
  }

  function reloadBody(body) {
    if (body && typeof htmx !== "undefined") {
      htmx.ajax("GET", body.getAttribute("data-task-url"), { target: body, swap: "outerHTML" });
    }
  }

  // The version every form of the body sends, and the board's card, after a save.
  function renewVersion(body, version, taskId) {
    body.setAttribute("data-version", version);
    body.querySelectorAll("input[name=version]").forEach(function (input) {
      input.value = version;
    });
    var card = document.getElementById("task-" + taskId);
    if (card) {
      card.setAttribute("data-version", version);
    }
  }

  function save(field) {
    var editor = editorOf(field);
    if (!isEditing(field) || field.classList.contains("is-saving")) {
      return;
    }
    var hadFocus = editor.contains(document.activeElement);
    if (!isDirty(field)) {
      close(field, hadFocus);
      return;
    }
    var body = field.closest(".task-body");
    var data = new FormData(editor);
    field.classList.add("is-saving");
    // One save of a body at a time: each sends the version the one before returned
    // (leaving one field for the next starts a save while typing goes on).
    body.saving = (body.saving || Promise.resolve()).then(function () {
      data.set("version", body.getAttribute("data-version"));
      return fetch(editor.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "HX-Request": "true" },
      }).then(function (response) {
        return response.text().then(function (html) {
          answer(field, response.status, html, hadFocus || editor.contains(document.activeElement));
        });
      }).catch(function () {
        field.classList.remove("is-saving");
        feedback(field, body.getAttribute("data-text-failed") || "", true);
      });
    });
  }

  // Put the server's answer in place. The feedback line itself stays (a live
  // region announces changes of its text, not a new one swapped in).
  function answer(field, status, html, hadFocus) {
    var body = field.closest(".task-body");
    field.classList.remove("is-saving");
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = template.content.querySelector("[data-field]");
    if (!fresh || [200, 400, 409].indexOf(status) === -1) {
      feedback(field, body.getAttribute("data-text-failed") || "", true);
      return;
    }
    ["[data-inline-display]", "[data-inline-editor]"].forEach(function (selector) {
      field.querySelector(selector).replaceWith(fresh.querySelector(selector));
    });
    var message = fresh.querySelector("[data-inline-feedback]").textContent;
    if (status === 200 || status === 409) {
      renewVersion(body, fresh.getAttribute("data-version"), body.getAttribute("data-task-id"));
    }
    if (status === 200) {
      close(field, hadFocus);
      if (field.getAttribute("data-field") === "title") {
        var link = document.querySelector("#task-" + body.getAttribute("data-task-id") + " .task-title a");
        if (link) {
          link.textContent = field.querySelector(".task-heading").textContent;
        }
      }
      feedback(field, message, false);
      return;
    }
    // Refused: the editor stays open with what was typed (and after a conflict
    // the value as it is now beside it), the reason next to it.
    field.setAttribute("data-state", fresh.getAttribute("data-state") || "invalid");
    editorOf(field).hidden = false;
    field.classList.add("is-editing");
    feedback(field, message, true);
    if (hadFocus) {
      focusFirst(editorOf(field));
    }
  }

  function enhance(root) {
    root.querySelectorAll(".task-body").forEach(function (body) {
      body.classList.add("is-inline");
    });
    root.querySelectorAll("[data-inline-fallback]").forEach(function (form) {
      form.hidden = true;
    });
    root.querySelectorAll("[data-inline-open]").forEach(function (button) {
      button.hidden = false;
    });
  }

  // Whether a task body holds anything typed and not saved: an open editor with
  // changes, or a comment, checklist item or label being written.
  function hasUnsavedText(root) {
    if (!root) {
      return false;
    }
    saveLeft(); // a field just left (say, for "Close") is being saved, not thrown away
    var dirty = Array.prototype.some.call(root.querySelectorAll("[data-field]"), isDirty);
    return dirty || Array.prototype.some.call(
      root.querySelectorAll("textarea, input[type=text], input:not([type])"),
      function (control) {
        return !control.closest("[data-inline-editor]") && control.value !== control.defaultValue;
      }
    );
  }
  window.Internboard = window.Internboard || {};
  window.Internboard.hasUnsavedText = hasUnsavedText;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhance(document);
    });
  } else {
    enhance(document);
  }
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target.parentNode || event.target);
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    var field = fieldOf(target);
    if (!field || !editorOf(field)) {
      return;
    }
    if (target.closest("[data-inline-open]")) {
      open(field);
    } else if (target.closest("[data-inline-cancel]")) {
      cancel(field);
    } else if (target.closest("[data-inline-display]") && !target.closest("a") && !isEditing(field)) {
      // Clicking the value edits it (a link inside a description still opens).
      open(field);
    }
  });

  document.addEventListener("submit", function (event) {
    var field = fieldOf(event.target);
    if (field && event.target.matches("[data-inline-editor]")) {
      event.preventDefault();
      save(field);
    }
  });

  document.addEventListener("keydown", function (event) {
    var field = fieldOf(event.target);
    if (!field || !event.target.closest("[data-inline-editor]")) {
      return;
    }
    if (event.key === "Escape") {
      // This field only: the dialog around it stays open.
      event.preventDefault();
      event.stopPropagation();
      cancel(field);
    } else if (event.key === "Enter" && event.target.tagName !== "BUTTON") {
      if (event.target.tagName === "TEXTAREA" && !(event.ctrlKey || event.metaKey)) {
        return; // a new line
      }
      event.preventDefault();
      save(field);
    }
  });

  // Leaving the field (focus goes outside its editor) saves it. With a mouse or a
  // finger, only once the press is over: saving closes the editor and moves what is
  // below it, so a click started on another field's button would land elsewhere.
  var pressing = false;
  var leaving = [];

  function saveLeft() {
    var fields = leaving;
    leaving = [];
    fields.forEach(save);
  }

  document.addEventListener("pointerdown", function () {
    pressing = true;
  }, true);
  document.addEventListener("pointerup", function () {
    pressing = false;
    window.setTimeout(saveLeft, 0); // after the click this press makes
  }, true);

  document.addEventListener("focusout", function (event) {
    var field = fieldOf(event.target);
    var editor = field && editorOf(field);
    if (!editor || !editor.contains(event.target)) {
      return;
    }
    // Within the editor (its Save and Cancel buttons too) nothing is decided yet.
    if (event.relatedTarget && editor.contains(event.relatedTarget)) {
      return;
    }
    if (pressing) {
      leaving.push(field);
    } else {
      save(field);
    }
  });
})();
