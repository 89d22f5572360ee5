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

  function enhance(root) {
    (root || document).querySelectorAll(".card-list").forEach(makeSortable);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
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

  // After a successful move the server sends the two column counts and the
  // card's placement (the card it now sits above, its version): put it there. Past the
  // cards loaded so far it leaves the page; the column's next page has it.
  document.addEventListener("board-moved", function (event) {
    var detail = event.detail || {};
    var card = document.getElementById("task-" + detail.task);
    var list = document.querySelector('.card-list[data-column-id="' + detail.column + '"]');
    if (!card) {
      return;
    }
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
  });

  // "Move to…": the card's link opens the board's one move dialog, filled for that card.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".task-card a.move-to");
    var dialog = document.getElementById("move-dialog");
    if (!link || !dialog || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    var card = link.closest(".task-card");
    var form = dialog.querySelector("form");
    var list = card.closest(".card-list");
    form.setAttribute("data-task-id", card.getAttribute("data-task-id"));
    form.action = moveUrl(card.getAttribute("data-task-id"));
    form.elements.version.value = card.getAttribute("data-version");
    form.elements.from_column.value = list ? list.getAttribute("data-column-id") : card.getAttribute("data-column-id");
    form.elements.column.value = card.getAttribute("data-column-id");
    form.elements.position.value = "0";
    dialog.querySelector("[data-move-task]").textContent = card.querySelector(".task-title").textContent;
    dialog.showModal();
    form.elements.column.focus();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("move-form") || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    var values = {};
    new FormData(form).forEach(function (value, name) {
      values[name] = value;
    });
    // Closed whatever the answer: a refusal shows in the status line, a
    // failure in the request-error alert, both behind the dialog otherwise.
    form.closest("dialog").close();
    htmx.ajax("POST", form.action, {
      target: "#board-status",
      swap: "innerHTML",
      values: values,
      headers: { "X-CSRFToken": csrfToken() },
    });
  });

  // A title opens the task in the dialog; a modified click still opens the page.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".task-card .task-title a");
    if (!link || !document.getElementById("task-dialog") || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    htmx.ajax("GET", link.getAttribute("href"), { target: "#task-dialog-body", swap: "innerHTML" });
  });

  // Task dialog: open when its body arrives, refresh the board when it closes.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "task-dialog-body") {
      var dialog = document.getElementById("task-dialog");
      if (dialog && !dialog.open) {
        dialog.showModal();
      }
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-dialog]");
    if (button) {
      button.closest("dialog").close();
    }
  });
  document.addEventListener("close", function (event) {
    if (event.target.id === "task-dialog") {
      document.getElementById("task-dialog-body").innerHTML = "";
      var poll = document.getElementById("board-poll");
      if (poll) {
        htmx.trigger(poll, "refresh");
      }
    }
  }, true);
})();
