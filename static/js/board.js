// The kanban board: drag and drop (SortableJS) and the task dialog.
// Everything here is an enhancement: without JavaScript every card has a
// "Move to" form and every title links to the task page.
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

  function boardQuery() {
    var board = document.getElementById("board");
    var query = board ? board.getAttribute("data-filter-query") : "";
    return query ? "?" + query : "";
  }

  // Post a move; the server answers with a status line and the affected
  // columns out of band (including the one the card was dragged from, as the
  // "Move to…" form does), which also puts a refused card back in its place.
  function postMove(card, fromColumnId, columnId, position, beforeId) {
    var url = card.getAttribute("data-move-url") + boardQuery();
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
      filter: "details, input, select, button",
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
