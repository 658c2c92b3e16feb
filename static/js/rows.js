// Rows ("Add a medicine", "Remove medicine 3") work without JavaScript: the button posts the
// page, and the server sends the patient back to it at the row (#row-4), or at the list once it
// is empty (#rows). The browser scrolls there; this puts the keyboard focus there too: in the
// row's first box, or on the list. Not after a save with errors: those take the focus.
(function () {
  "use strict";
  var match = /^#(row-\d+|rows)$/.exec(window.location.hash);
  if (!match || document.getElementById("error-summary")) {
    return;
  }
  var target = document.getElementById(match[1]);
  var first = target && (target.id === "rows" ? target : target.querySelector("input:not([type=hidden]), select, textarea"));
  if (!first) {
    return;
  }
  function focusRow() {
    if (document.activeElement !== first) {
      first.focus();
    }
  }
  focusRow();
  // The browser's own move to the #row while the page loads takes the focus back to the page:
  // focus again once it has loaded.
  window.addEventListener("load", focusRow);
})();
