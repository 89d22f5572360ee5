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
})();
