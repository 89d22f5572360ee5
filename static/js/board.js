// The kanban board: drag and drop (SortableJS) and the task dialog.
// Everything here is an enhancement: without JavaScript every title and every
// "Move to…" link opens the task page, whose move form works without it. Cards
// carry ids only (no URLs, no forms): URLs are built here from the board's
// data-move-url, and one shared dialog serves "Move to…" for every card.
(function () {
  "use strict";

  var dragging = false;

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try {
      return JSON.parse(headers)["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function moveUrl(taskId) {
    // On #board, and on the move dialog of a column's own page (which has no #board).
    var holder = document.querySelector("[data-move-url]");
    var template = holder ? holder.getAttribute("data-move-url") : "";
    return template.replace("/0/", "/" + taskId + "/") + boardQuery();
  }

  function boardQuery() {
    var board = document.getElementById("board");
    var query = board ? board.getAttribute("data-filter-query") : "";
    return query ? "?" + query : "";
  }

  // Post a move; the server answers with a status line and the affected
  // columns out of band (including the one the card was dragged from, as the
  // "Move to…" form does), which also puts a refused card back in its place.
  function postMove(card, fromColumnId, columnId, position, beforeId) {
    var url = moveUrl(card.getAttribute("data-task-id"));
    var values = {
      column: columnId,
      position: position,
      version: card.getAttribute("data-version"),
    };
    if (fromColumnId) {
      values.from_column = fromColumnId;
    }
    if (beforeId) {
      values.before = beforeId;
    }
    htmx.ajax("POST", url, {
      target: "#board-status",
      swap: "innerHTML",
      values: values,
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  function makeSortable(list) {
    if (list.getAttribute("data-sortable") === "on" || typeof Sortable === "undefined") {
      return;
    }
    list.setAttribute("data-sortable", "on");
    Sortable.create(list, {
      group: "board",
      draggable: ".task-card",
      filter: "a.move-to, input, select, button",
      preventOnFilter: false,
      animation: 120,
      ghostClass: "is-drop-target",
      chosenClass: "is-dragging",
      onStart: function () {
        dragging = true;
      },
      onEnd: function (event) {
        dragging = false;
        if (event.from === event.to && event.oldDraggableIndex === event.newDraggableIndex) {
          return;
        }
        var card = event.item;
        var next = card.nextElementSibling;
        while (next && !next.classList.contains("task-card")) {
          next = next.nextElementSibling;
        }
        postMove(
          card,
          event.from.getAttribute("data-column-id"),
          event.to.getAttribute("data-column-id"),
          event.newDraggableIndex,
          next ? next.getAttribute("data-task-id") : null
        );
      },
    });
  }

  // Long columns: htmx's "intersect" watches the page's viewport, but on a desktop
  // each column scrolls inside itself and its end may sit below the fold, where
  // scrolling the column never brings it into the viewport. So each list that
  // scrolls also watches its own end and asks for the next page ("board-more",
  // the load-more's second trigger) when it comes within reach.
  function watchMore(list) {
    var more = list && list.querySelector(":scope > .load-more");
    if (!more || typeof IntersectionObserver === "undefined") {
      return;
    }
    var overflow = window.getComputedStyle(list).overflowY;
    if (overflow !== "auto" && overflow !== "scroll") {
      return; // phones: the page scrolls, and htmx's own trigger sees the end
    }
    if (!list.moreObserver) {
      list.moreObserver = new IntersectionObserver(function (entries, observer) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            htmx.trigger(entry.target, "board-more");
          }
        });
      }, { root: list, rootMargin: "0px 0px 200px 0px" });
    }
    list.moreObserver.observe(more);
  }

  function enhance(root) {
    root = root || document;
    root.querySelectorAll(".card-list").forEach(function (list) {
      makeSortable(list);
      watchMore(list);
    });
    if (root.classList && root.classList.contains("load-more")) {
      watchMore(root.parentNode);
    }
    document.querySelectorAll("[data-open-shortcuts]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    openTaskFromUrl();
  });
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });

  // The poll must not swap a column while a card is being dragged out of it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (dragging && event.target.id === "board-poll") {
      event.preventDefault();
    }
  });

  // --- Focus and announcements ----------------------------------------------
  // After a keyboard move or closing the task dialog, focus goes back to the card.
  // A move or the poll may re-render its column (a new element) just after, so
  // the card gets it again once the board settles, unless the user went elsewhere.

  var focusTarget = null;

  function cardLink(taskId) {
    return document.querySelector("#task-" + taskId + " .task-title a");
  }

  function focusCard(taskId) {
    var link = cardLink(taskId);
    focusTarget = { id: String(taskId), until: Date.now() + 5000 };
    if (link) {
      link.focus();
      link.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  document.addEventListener("htmx:afterSettle", function () {
    if (!focusTarget || Date.now() > focusTarget.until) {
      focusTarget = null;
      return;
    }
    var active = document.activeElement;
    if (active && active !== document.body) {
      return;
    }
    if (!document.querySelector("dialog[open]")) {
      var link = cardLink(focusTarget.id);
      if (link) {
        link.focus();
      }
    }
  });
  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest(".task-card");
    if (focusTarget && (!card || card.getAttribute("data-task-id") !== focusTarget.id)) {
      focusTarget = null;
    }
  });
  document.addEventListener("pointerdown", function () {
    focusTarget = null;
  });

  // A polite message in the board's status line (screen readers read it out).
  function announce(text) {
    var status = document.getElementById("board-status");
    if (!status || !text) {
      return;
    }
    var line = document.createElement("p");
    line.className = "board-message";
    line.textContent = text;
    status.replaceChildren(line);
  }

  function movedText(card, columnId) {
    var status = document.getElementById("board-status");
    var template = status && status.getAttribute("data-text-moved");
    var title = card.querySelector(".task-title");
    var column = document.getElementById("column-" + columnId + "-title");
    if (!template || !title || !column) {
      return "";
    }
    return template.replace("{title}", title.textContent.trim()).replace("{column}", column.textContent.trim());
  }

  // After a successful move the server sends the two column counts and the
  // card's placement (the card it now sits above, its version): put it there. Past the
  // cards loaded so far it leaves the page; the column's next page has it.
  document.addEventListener("board-moved", function (event) {
    var detail = event.detail || {};
    var card = document.getElementById("task-" + detail.task);
    var list = document.querySelector('.card-list[data-column-id="' + detail.column + '"]');
    lastMoved = String(detail.task);
    if (!card) {
      return;
    }
    announce(movedText(card, detail.column));
    if (!list) {
      card.remove();
      return;
    }
    card.setAttribute("data-version", detail.version);
    card.setAttribute("data-column-id", detail.column);
    var due = card.querySelector(".due");
    if (due) {
      due.classList.toggle("due-overdue", !!detail.overdue);
    }
    var before = detail.before ? document.getElementById("task-" + detail.before) : null;
    if (before && before.parentNode === list) {
      list.insertBefore(card, before);
    } else if (list.querySelector(".load-more")) {
      card.remove();
    } else {
      list.appendChild(card);
    }
    if (focusTarget && focusTarget.id === String(detail.task)) {
      focusCard(detail.task); // moving the element took its focus away
    }
  });

  // "Move to…": the card's link opens the board's one move dialog, filled for that card.
  function openMoveDialog(card) {
    var dialog = document.getElementById("move-dialog");
    if (!dialog) {
      return false;
    }
    var form = dialog.querySelector("form");
    var list = card.closest(".card-list");
    form.setAttribute("data-task-id", card.getAttribute("data-task-id"));
    form.action = moveUrl(card.getAttribute("data-task-id"));
    form.elements.version.value = card.getAttribute("data-version");
    form.elements.from_column.value = list ? list.getAttribute("data-column-id") : card.getAttribute("data-column-id");
    form.elements.column.value = card.getAttribute("data-column-id");
    fillPlaces(form);
    dialog.querySelector("[data-move-task]").textContent = card.querySelector(".task-title").textContent;
    dialog.showModal();
    form.elements.column.focus();
    return true;
  }
  // The move dialog's places: bottom (the default), top, or just after one of the
  // chosen column's cards as loaded here (at most 50), sent as the 0-based position
  // the move reads: just below the n-th card is position n.
  var MAX_PLACES = 50;
  function fillPlaces(form) {
    var select = form.elements.position;
    var movingId = form.getAttribute("data-task-id");
    var template = select.getAttribute("data-after-text") || "%(key)s %(title)s";
    Array.prototype.slice.call(select.querySelectorAll("option[data-after]")).forEach(function (option) {
      option.remove();
    });
    var list = document.querySelector('.card-list[data-column-id="' + form.elements.column.value + '"]');
    var cards = list ? Array.prototype.slice.call(list.querySelectorAll(".task-card")) : [];
    cards = cards.filter(function (other) {
      return other.getAttribute("data-task-id") !== movingId;
    });
    cards.slice(0, MAX_PLACES).forEach(function (other, index) {
      var key = other.querySelector(".task-key");
      var title = other.querySelector(".task-title").textContent.trim();
      if (title.length > 40) {
        title = title.slice(0, 39) + "…";
      }
      var option = document.createElement("option");
      option.value = String(index + 1);
      option.setAttribute("data-after", "");
      option.textContent = template
        .replace("%(key)s", key ? key.textContent : "")
        .replace("%(title)s", title);
      select.appendChild(option);
    });
    select.value = "";
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.classList.contains("move-form") && event.target.name === "column") {
      fillPlaces(form);
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".task-card a.move-to");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (openMoveDialog(link.closest(".task-card"))) {
      event.preventDefault();
    }
  });

  var lastMoved = null; // the task of the last "board-moved" (a move that succeeded)

  function postForm(form, url) {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      values[name] = value;
    });
    return htmx.ajax("POST", url, {
      target: "#board-status",
      swap: "innerHTML",
      values: values,
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  // The move dialog's form, and the task dialog's "Move to": both move the card on
  // the board in place (as drag and drop does) instead of leaving the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || event.defaultPrevented) {
      return;
    }
    if (form.classList.contains("move-form")) {
      event.preventDefault();
      // Closed whatever the answer: a refusal shows in the status line, a
      // failure in the request-error alert, both behind the dialog otherwise.
      form.closest("dialog").close();
      focusCard(form.getAttribute("data-task-id"));
      postForm(form, form.action);
    } else if (form.id === "move-to" && form.closest("#task-dialog")) {
      event.preventDefault();
      moveFromTaskDialog(form);
    }
  });

  function moveFromTaskDialog(form) {
    var body = form.closest(".task-body");
    var taskId = body.getAttribute("data-task-id");
    var status = document.getElementById("task-dialog-status");
    lastMoved = null;
    status.textContent = "";
    postForm(form, moveUrl(taskId)).then(function () {
      var moved = lastMoved === taskId;
      // Refused: the reason is in the board's status line, behind the dialog; say it here.
      var board = document.getElementById("board-status");
      var message = moved ? movedText(document.getElementById("task-" + taskId) || body, form.elements.column.value) : "";
      if (!message && board) {
        message = board.textContent.trim();
      }
      // The dialog shows the task as it is now (its column, version and history).
      return htmx.ajax("GET", taskUrl(taskId), { target: "#task-dialog-body", swap: "innerHTML" }).then(function () {
        status.textContent = message;
        var again = document.querySelector("#task-dialog #move-to select[name=column]");
        if (again) {
          again.focus();
        }
      });
    });
  }

  // --- The task dialog and its URL --------------------------------------------
  // A card opens in the dialog and its URL gets ?task=<id> (pushed: Back closes
  // the dialog, the link can be shared); a board loaded with ?task=<id> opens it.
  // A task the user may not see answers 404: no dialog, and the URL drops it.

  var shownTask = null; // the task in the dialog
  var opening = null; // {id, push, back}: the task being fetched into the dialog
  var backOnClose = false; // the dialog's entry was pushed here: closing goes Back
  var closingFromHistory = false;
  var returnFocusTo = null;

  function taskDialog() {
    return document.getElementById("task-dialog");
  }

  function taskUrl(taskId) {
    return taskDialog().getAttribute("data-task-url").replace("/0/", "/" + taskId + "/");
  }

  function taskInUrl() {
    var value = new URLSearchParams(window.location.search).get("task") || "";
    return /^[1-9][0-9]{0,17}$/.test(value) ? value : null;
  }

  function urlWithTask(taskId) {
    var url = new URL(window.location.href);
    if (taskId) {
      url.searchParams.set("task", taskId);
    } else {
      url.searchParams.delete("task");
    }
    return url.pathname + url.search + url.hash;
  }

  function openTask(taskId, options) {
    opening = { id: String(taskId), push: !!options.push, back: !!options.back };
    htmx.ajax("GET", taskUrl(taskId), { target: "#task-dialog-body", swap: "innerHTML" });
  }

  function openTaskFromUrl() {
    var taskId = taskInUrl();
    if (taskId && taskDialog()) {
      returnFocusTo = taskId;
      openTask(taskId, { push: false, back: false });
    }
  }

  // A title opens the task in the dialog; a modified click still opens the page.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".task-card .task-title a");
    if (!link || !taskDialog() || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    var taskId = link.closest(".task-card").getAttribute("data-task-id");
    returnFocusTo = taskId;
    openTask(taskId, { push: true, back: true });
  });

  // Task dialog: open when its body arrives (and give the card its URL).
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "task-dialog-body") {
      return;
    }
    var dialog = taskDialog();
    if (opening) {
      shownTask = opening.id;
      backOnClose = opening.back;
      if (opening.push && taskInUrl() !== opening.id) {
        window.history.pushState({ taskDialog: opening.id }, "", urlWithTask(opening.id));
      }
      opening = null;
    }
    if (dialog && !dialog.open) {
      document.getElementById("task-dialog-status").textContent = "";
      dialog.showModal();
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.target && event.detail.target.id === "task-dialog-body" && opening) {
      opening = null;
      if (taskInUrl() && !(taskDialog() && taskDialog().open)) {
        window.history.replaceState(window.history.state, "", urlWithTask(null));
      }
    }
  });

  // Typed and not saved (an open field, a comment): ask before throwing it away.
  function mayClose(dialog) {
    var check = window.Internboard && window.Internboard.hasUnsavedText;
    if (dialog.id !== "task-dialog" || !check || !check(document.getElementById("task-dialog-body"))) {
      return true;
    }
    return window.confirm(dialog.getAttribute("data-discard-question"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-close-dialog]");
    if (button && mayClose(button.closest("dialog"))) {
      button.closest("dialog").close();
    }
  });
  // Esc: the browser's "cancel", which may be refused.
  document.addEventListener("cancel", function (event) {
    if (!mayClose(event.target)) {
      event.preventDefault();
    }
  }, true);

  // Closed (Close, Esc or Back): drop its body, refresh the board, take its ?task=
  // out of the URL, and give focus back to the card it was opened from.
  document.addEventListener("close", function (event) {
    if (event.target.id !== "task-dialog") {
      return;
    }
    document.getElementById("task-dialog-body").innerHTML = "";
    var poll = document.getElementById("board-poll");
    if (poll) {
      htmx.trigger(poll, "refresh");
    }
    if (!closingFromHistory) {
      if (backOnClose && taskInUrl() === shownTask) {
        window.history.back();
      } else if (taskInUrl()) {
        window.history.replaceState(window.history.state, "", urlWithTask(null));
      }
    }
    shownTask = null;
    backOnClose = false;
    closingFromHistory = false;
    if (returnFocusTo) {
      focusCard(returnFocusTo);
      returnFocusTo = null;
    }
  }, true);

  // Back (or Forward) across a card's entry closes (or opens) its dialog.
  window.addEventListener("popstate", function () {
    var dialog = taskDialog();
    if (!dialog) {
      return;
    }
    var taskId = taskInUrl();
    if (dialog.open && taskId !== shownTask) {
      if (!mayClose(dialog)) {
        window.history.pushState({ taskDialog: shownTask }, "", urlWithTask(shownTask));
        backOnClose = true;
        return;
      }
      closingFromHistory = true;
      dialog.close();
    }
    if (taskId && !dialog.open) {
      returnFocusTo = taskId;
      openTask(taskId, { push: false, back: true });
    }
  });

  // --- Keyboard shortcuts (listed in the "?" overlay) -------------------------
  // Only on the board, never while typing in a field or with a dialog open.

  function isTyping(target) {
    return !!(target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)));
  }

  function columnsWithCards() {
    return Array.prototype.filter.call(document.querySelectorAll("#board .card-list"), function (list) {
      return list.querySelector(":scope > .task-card");
    });
  }

  function cardsOf(list) {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > .task-card"));
  }

  function step(card, direction) {
    var lists = columnsWithCards();
    if (!lists.length) {
      return null;
    }
    if (!card) {
      return cardsOf(lists[0])[0];
    }
    var list = card.closest(".card-list");
    var cards = cardsOf(list);
    var index = cards.indexOf(card);
    if (direction === "down" || direction === "up") {
      return cards[Math.max(0, Math.min(cards.length - 1, index + (direction === "down" ? 1 : -1)))];
    }
    var column = lists.indexOf(list) + (direction === "right" ? 1 : -1);
    if (column < 0 || column >= lists.length) {
      return card;
    }
    var next = cardsOf(lists[column]);
    return next[Math.min(index, next.length - 1)];
  }

  var DIRECTIONS = {
    ArrowDown: "down", ArrowUp: "up", ArrowLeft: "left", ArrowRight: "right",
    j: "down", k: "up", h: "left", l: "right",
  };

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("board") || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (isTyping(event.target) || document.querySelector("dialog[open]")) {
      return;
    }
    var card = event.target.closest && event.target.closest("#board .task-card");
    if (event.key === "?") {
      event.preventDefault();
      document.getElementById("shortcuts-dialog").showModal();
      return;
    }
    var direction = DIRECTIONS[event.key];
    // Arrows keep scrolling the page unless a card has focus; letters work from anywhere.
    if (direction && (card || event.key.length === 1)) {
      var next = step(card, direction);
      if (next) {
        event.preventDefault();
        focusCard(next.getAttribute("data-task-id"));
      }
      return;
    }
    if (!card) {
      return;
    }
    if (event.key === "m" && openMoveDialog(card)) {
      event.preventDefault();
    } else if (event.key === "Enter" && event.target === card) {
      event.preventDefault();
      card.querySelector(".task-title a").click();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-open-shortcuts]")) {
      document.getElementById("shortcuts-dialog").showModal();
    }
  });
})();
