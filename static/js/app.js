// Page behaviour that needs JavaScript lives here, never inline in templates
// (the Content-Security-Policy allows scripts from our own files only).
// Everything it adds is an enhancement: each page works without it.
(function () {
  "use strict";

  // Forms marked data-confirm ask before submitting (e.g. deleting a column).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // --- Failed htmx requests -------------------------------------------------
  // htmx swaps nothing for a 401/403/404/5xx answer or a network error
  // (see the htmx-config in base.html), so without this a stale tab, say one
  // whose CSRF token was rotated by a login in another tab, would fail
  // silently. Every htmx request reports such a failure in the #request-error
  // alert region; its texts come from the page so they are translated.

  function region() {
    return document.getElementById("request-error");
  }

  function showRequestError(kind) {
    var box = region();
    if (!box) {
      return;
    }
    var message = document.createElement("div");
    message.className = "request-error-message message message-error";
    message.setAttribute("data-kind", kind);
    var text = document.createElement("p");
    text.textContent = box.getAttribute("data-message-" + kind) || box.getAttribute("data-message-other");
    message.appendChild(text);
    var actions = document.createElement("p");
    actions.className = "request-error-actions";
    var reload = document.createElement("a");
    reload.className = "button button-small";
    reload.href = window.location.href;
    reload.textContent = box.getAttribute("data-label-reload");
    actions.appendChild(reload);
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "button button-quiet button-small";
    dismiss.setAttribute("data-dismiss-request-error", "");
    dismiss.textContent = box.getAttribute("data-label-dismiss");
    actions.appendChild(dismiss);
    message.appendChild(actions);
    // Replace rather than append: a poll failing every 15 s shows one message.
    box.replaceChildren(message);
  }

  function clearRequestError(keepSession) {
    var box = region();
    var current = box && box.firstElementChild;
    if (current && !(keepSession && current.getAttribute("data-kind") === "session")) {
      box.replaceChildren();
    }
  }

  function kindForStatus(status) {
    if (status === 401 || status === 403) {
      return "session";
    }
    if (status === 404 || status === 410) {
      return "gone";
    }
    if (status >= 500) {
      return "server";
    }
    return "other";
  }

  function redirectedToLogin(xhr) {
    var box = region();
    var login = box && box.getAttribute("data-login-url");
    if (!login || !xhr || !xhr.responseURL) {
      return false;
    }
    try {
      return new URL(xhr.responseURL).pathname === login;
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("htmx:responseError", function (event) {
    showRequestError(kindForStatus(event.detail.xhr.status));
  });
  document.addEventListener("htmx:sendError", function () {
    showRequestError("network");
  });
  document.addEventListener("htmx:timeout", function () {
    showRequestError("network");
  });
  // A session that ended elsewhere (logout in another tab, expiry) answers an
  // htmx request with a redirect to the login page, which the browser follows:
  // never swap the login page into a fragment of this one.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (redirectedToLogin(event.detail.xhr)) {
      event.detail.shouldSwap = false;
      showRequestError("session");
    }
  });
  // Once requests succeed again a server or network message is out of date;
  // a changed session stays reported until the page is reloaded.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.successful && !redirectedToLogin(xhr)) {
      clearRequestError(true);
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-dismiss-request-error]")) {
      clearRequestError(false);
    }
  });

  // --- Copy buttons for one-time secrets (new API token, new webhook secret) --
  // The buttons are hidden until this runs; without it the read-only field
  // stays selectable. The status texts come from the page (translated).
  function enableCopyButtons() {
    document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
      button.hidden = false;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enableCopyButtons);
  } else {
    enableCopyButtons();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy-target]");
    var field = button && document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    var status = button.parentElement.querySelector(".secret-copy-status");
    function report(label) {
      if (status) {
        status.textContent = button.getAttribute(label) || "";
      }
    }
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        report("data-copied-label");
      }, function () {
        report("data-failed-label");
      });
    } else {
      // Plain-HTTP development servers have no async clipboard API.
      report(document.execCommand("copy") ? "data-copied-label" : "data-failed-label");
    }
  });
})();
