// @-mention autocomplete for comment and description boxes.
//
// A form with data-mentions-url (the task's team members as JSON, see
// notifications.views.task_mentions_view) gets a suggestion list under its
// textarea while the word at the caret starts with "@". The textarea stays a
// textarea for screen readers and gains the combobox state: aria-expanded,
// aria-controls (the listbox) and aria-activedescendant (the highlighted
// option); a polite live region says how many people match.
// Keys: ArrowDown/ArrowUp move, Enter or Tab insert "@username ", Escape closes.
// Listeners are delegated from the document, so boxes that htmx swaps in (the
// board's task dialog) work without setup.
(function () {
  "use strict";

  // The same rule as tasks/markdown.py: "@" not preceded by a word character, ".", "@", "+" or "-".
  var TRIGGER = /(?:^|[^\w.@+-])@([\w.+-]{0,50})$/;
  var DEBOUNCE_MS = 150;
  var counter = 0;
  var timer = null;
  var state = null; // {textarea, listbox, status, options, active, start}

  function boxOf(target) {
    if (!(target instanceof HTMLTextAreaElement)) return null;
    var form = target.closest("[data-mentions-url]");
    return form ? form : null;
  }

  function ensureListbox(textarea) {
    if (!textarea.id) {
      counter += 1;
      textarea.id = "mention-box-" + counter;
    }
    var id = textarea.id + "-mentions";
    var listbox = document.getElementById(id);
    if (!listbox) {
      listbox = document.createElement("ul");
      listbox.id = id;
      listbox.className = "mention-list";
      listbox.setAttribute("role", "listbox");
      listbox.setAttribute("aria-label", textarea.closest("[data-mentions-url]").dataset.mentionsLabel || "Mention");
      listbox.hidden = true;
      textarea.insertAdjacentElement("afterend", listbox);
      var status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      status.id = id + "-status";
      listbox.insertAdjacentElement("afterend", status);
      textarea.setAttribute("aria-autocomplete", "list");
      textarea.setAttribute("aria-controls", id);
      textarea.setAttribute("aria-expanded", "false");
    }
    return listbox;
  }

  function close() {
    if (!state) return;
    state.listbox.hidden = true;
    state.listbox.replaceChildren();
    state.textarea.setAttribute("aria-expanded", "false");
    state.textarea.removeAttribute("aria-activedescendant");
    state = null;
  }

  function highlight(index) {
    if (!state || !state.options.length) return;
    var count = state.options.length;
    state.active = (index + count) % count;
    state.options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === state.active ? "true" : "false");
    });
    var option = state.options[state.active];
    state.textarea.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function choose(index) {
    if (!state || !state.options[index]) return;
    var textarea = state.textarea;
    var username = state.options[index].dataset.username;
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, state.start);
    var after = textarea.value.slice(caret);
    var inserted = "@" + username + " ";
    textarea.value = before + inserted + after;
    var position = before.length + inserted.length;
    textarea.setSelectionRange(position, position);
    close();
    textarea.focus();
  }

  function show(textarea, start, results) {
    var listbox = ensureListbox(textarea);
    var form = textarea.closest("[data-mentions-url]");
    listbox.replaceChildren();
    var options = results.map(function (member, i) {
      var option = document.createElement("li");
      option.id = listbox.id + "-" + i;
      option.className = "mention-option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.username = member.username;
      var name = document.createElement("span");
      name.className = "mention-name";
      name.textContent = member.name;
      var login = document.createElement("span");
      login.className = "mention-username";
      login.textContent = "@" + member.username;
      option.append(name, " ", login);
      listbox.appendChild(option);
      return option;
    });
    var status = document.getElementById(listbox.id + "-status");
    if (!options.length) {
      if (status) status.textContent = form.dataset.mentionsNone || "";
      close();
      return;
    }
    state = { textarea: textarea, listbox: listbox, options: options, active: 0, start: start };
    listbox.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    if (status) {
      status.textContent = (form.dataset.mentionsCount || "%s").replace("%s", String(options.length));
    }
    highlight(0);
  }

  function lookup(textarea) {
    var form = boxOf(textarea);
    if (!form) return;
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = TRIGGER.exec(before);
    if (!match) {
      close();
      return;
    }
    var start = before.length - match[1].length - 1;
    var url = new URL(form.dataset.mentionsUrl, window.location.href);
    url.searchParams.set("q", match[1]);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (body) {
        // The caret may have moved on while we waited: only show what still applies.
        if (document.activeElement !== textarea) return;
        var now = TRIGGER.exec(textarea.value.slice(0, textarea.selectionStart));
        if (!now || now[1] !== match[1]) return;
        show(textarea, start, body.results || []);
      })
      .catch(function () {
        close();
      });
  }

  document.addEventListener("input", function (event) {
    if (!boxOf(event.target)) return;
    window.clearTimeout(timer);
    var textarea = event.target;
    timer = window.setTimeout(function () {
      lookup(textarea);
    }, DEBOUNCE_MS);
  });

  document.addEventListener("keydown", function (event) {
    if (!state || event.target !== state.textarea) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight(state.active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(state.active - 1);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(state.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // close the list, not the task dialog around it
      close();
    }
  });

  // mousedown, not click: the textarea must keep its focus and caret.
  document.addEventListener("mousedown", function (event) {
    if (!state) return;
    var option = event.target.closest(".mention-option");
    if (option && state.listbox.contains(option)) {
      event.preventDefault();
      choose(state.options.indexOf(option));
    } else if (event.target !== state.textarea) {
      close();
    }
  });

  document.addEventListener("focusout", function (event) {
    if (state && event.target === state.textarea) {
      window.setTimeout(function () {
        if (state && document.activeElement !== state.textarea) close();
      }, 0);
    }
  });
})();
