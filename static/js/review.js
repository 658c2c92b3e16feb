// Clinician review: the per-flag reasons of a decision matter only when approving, so they
// are hidden for the other outcomes. Without JavaScript every field stays visible.
(function () {
  "use strict";
  var form = document.querySelector('form[data-action="decide"]');
  if (!form) {
    return;
  }
  var reasons = Array.prototype.slice.call(form.querySelectorAll("textarea.js-flag-reason"));
  if (!reasons.length) {
    return;
  }
  function wrapperOf(field) {
    return field.closest(".mb-3") || field.parentElement;
  }
  function update() {
    var chosen = form.querySelector('input[name="outcome"]:checked');
    var approving = !chosen || chosen.value === "approved";
    reasons.forEach(function (field) {
      wrapperOf(field).hidden = !approving;
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "outcome") {
      update();
    }
  });
  update();
}());

// A refused action: the page opens on its error summary, which takes the focus so that a
// screen reader reads it and Tab reaches the links to each field.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({block: "start"});
  }
}());
