// The board's filter bar and its status line. Enhancements only: without
// JavaScript the filter form is a plain GET form with its "Apply" button, and
// the status line is a page message.
(function () {
  "use strict";

  // How long a status line (a refused move, say) stays before it clears itself.
  var STATUS_MILLISECONDS = 8000;

  function filterForm() {
    return document.querySelector("form[data-board-filters]");
  }

  function namedFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && field.type !== "submit" && field.type !== "button";
    });
  }

  function isActive(form) {
    return namedFields(form).some(function (field) {
      return field.type === "checkbox" ? field.checked : field.value.trim() !== "";
    });
  }

  // "Clear filters" shows as soon as a filter is set, not after the next page load.
  function showClear(form) {
    var clear = form.querySelector(".filters-clear");
    if (clear) {
      clear.hidden = !isActive(form);
    }
  }

  // Back and Forward restore the board from htmx's snapshot, whose fields show
  // the values the page was first rendered with: put the URL's filters back.
  function fillFromUrl(form) {
    var query = new URLSearchParams(window.location.search);
    namedFields(form).forEach(function (field) {
      if (field.type === "checkbox") {
        field.checked = query.get(field.name) === field.value;
      } else {
        field.value = query.get(field.name) || "";
        if (field.tagName === "SELECT" && field.selectedIndex < 0) {
          field.value = "";  // a value the list no longer offers: "any"
        }
      }
    });
  }

  function enhance() {
    var form = filterForm();
    if (!form) {
      return;
    }
    // Filters apply as they change (htmx), so "Apply" is hidden; it stays for no-JS use.
    form.classList.add("filters-live");
    showClear(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-board-filters]");
    if (form) {
      showClear(form);
    }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-board-filters]");
    if (form) {
      showClear(form);
    }
  });
  document.addEventListener("htmx:historyRestore", function () {
    var form = filterForm();
    if (form) {
      fillFromUrl(form);
    }
    enhance();
  });

  // --- The status line (#board-status) ------------------------------------------
  // A message (a refused move, a WIP limit) clears itself after a while, or as
  // soon as the user does something else on the board (any request but the poll).
  var statusTimer = null;

  function clearStatus() {
    window.clearTimeout(statusTimer);
    statusTimer = null;
    var status = document.getElementById("board-status");
    if (status && status.querySelector(".board-message")) {
      status.querySelectorAll(".board-message").forEach(function (message) {
        message.remove();
      });
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "board-status" && target.querySelector(".board-message")) {
      window.clearTimeout(statusTimer);
      statusTimer = window.setTimeout(clearStatus, STATUS_MILLISECONDS);
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.id !== "board-poll") {
      clearStatus();
    }
  });
})();
