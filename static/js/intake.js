// Progressive enhancement for the intake pages; every page works without it.
// After a save with errors, move keyboard and screen-reader focus to the error summary.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    // A page reached from the skip link keeps "#main" in its address, and the browser would
    // move the focus there after loading, away from the errors: drop it, and focus again
    // once the page has loaded.
    if (window.location.hash && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    summary.focus();
    window.addEventListener("load", function () {
      if (document.activeElement !== summary && !summary.contains(document.activeElement)) {
        summary.focus();
      }
    });
  }
})();
