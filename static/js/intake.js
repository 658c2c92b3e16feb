// Progressive enhancement for the intake pages; every page works without it.
// After a save with errors, move keyboard and screen-reader focus to the error summary.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
