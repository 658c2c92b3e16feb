// Follow-up questions revealed by the answer that needs them (progressive enhancement).
// Without this script every follow-up is on the page, so that anyone can answer it. With it,
// a follow-up region (data-reveal-controller: the controlling question's name; data-reveal-when
// or data-reveal-unless: the answers that need it, or that make it unneeded) is hidden until
// the controlling answer needs it, then shown in place and announced politely. A region that
// holds an answer or an error (data-reveal-keep, or anything typed or chosen in it) is never
// hidden. Hiding asks nothing of the server: it validates the page as it always has.
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  if (!form) { return; }
  var regions = Array.prototype.slice.call(form.querySelectorAll("[data-reveal-controller]"));
  if (!regions.length) { return; }

  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.id = "reveal-status";
  form.appendChild(status);

  function words(region, name) {
    var value = region.getAttribute(name);
    return value === null ? null : value.split(" ").filter(Boolean);
  }

  function answer(name) {
    var checked = form.querySelector('input[type="radio"][name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  function needed(region) {
    var value = answer(region.getAttribute("data-reveal-controller"));
    var when = words(region, "data-reveal-when");
    if (when) { return when.indexOf(value) !== -1; }
    var unless = words(region, "data-reveal-unless") || [];
    return unless.indexOf(value) === -1;
  }

  function holdsAnswer(region) {
    if (region.hasAttribute("data-reveal-keep")) { return true; }
    if (region.querySelector(".invalid-feedback, .row-card")) { return true; }
    var inputs = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "hidden" || input.type === "submit") { continue; }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { return true; }
      } else if (input.value !== "") {
        return true;
      }
    }
    return false;
  }

  function firstQuestion(region) {
    var legend = region.querySelector("legend, label, h2");
    return legend ? legend.textContent.trim() : "";
  }

  function update(region, announce) {
    var show = needed(region) || holdsAnswer(region);
    var wasHidden = region.hidden;
    region.hidden = !show;
    if (announce && show && wasHidden) {
      status.textContent = "";
      // A fresh text, a moment later, is announced even when it repeats the last one.
      window.setTimeout(function () { status.textContent = "Follow-up question shown below: " + firstQuestion(region); }, 50);
    }
  }

  // Each controlling option names the regions it shows or hides.
  regions.forEach(function (region) {
    var name = region.getAttribute("data-reveal-controller");
    form.querySelectorAll('input[type="radio"][name="' + name + '"]').forEach(function (radio) {
      var ids = (radio.getAttribute("aria-controls") || "").split(" ").filter(Boolean);
      if (ids.indexOf(region.id) === -1) { ids.push(region.id); }
      radio.setAttribute("aria-controls", ids.join(" "));
    });
    update(region, false);
  });

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    regions.forEach(function (region) {
      if (region.getAttribute("data-reveal-controller") === name) { update(region, true); }
    });
  });
})();
