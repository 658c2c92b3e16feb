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

// Nothing typed is lost (docs/intake.md): the step form's answers are sent to the server in
// the background after each change (debounced) and once more when the page is left (browser
// back, a link, closing the tab). "Saved" is shown only after the server answered that it has
// them. Before the session's idle limit a dialog offers to stay signed in.
// Each background save names the draft revision it is based on (the form's hidden
// draft_revision input: the one the page was built from, then the one the last save returned);
// the server refuses one based on an older revision than it has (409 "stale": the page was
// saved meanwhile, or another tab saved), so a save arriving late never overwrites newer
// answers. Once the form is being submitted no background save starts: the POST saves it all.
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  if (!form || !form.dataset.autosaveUrl || !form.elements.draft_revision || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.dataset.autosaveUrl;
  var status = document.getElementById("save-status");
  var DELAY_MS = 700;
  var MESSAGES = {
    saved: "Saved",
    offline: "Not saved yet \u2014 check your connection",
    signedOut: "Not saved yet \u2014 you have been signed out. Press \u201cSave and continue\u201d to keep your answers.",
    stale: "Not saved \u2014 these answers were changed in another tab or window since this page was opened. " +
      "Press \u201cSave and continue\u201d to keep what is on this page, or reload it to see the saved answers."
  };
  var revision = form.elements.draft_revision;
  var timer = null;
  var inFlight = false;
  var again = false;
  var dirty = false;
  var submitting = false;
  // The server has newer answers than this page was built from: saving in the background
  // stops (a retry would be refused again, or overwrite them); the page's own buttons still save.
  var stale = false;

  function show(state, text) {
    if (!status) {
      return;
    }
    status.dataset.state = state;
    status.textContent = text;
  }

  function answers() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }

  function save() {
    window.clearTimeout(timer);
    timer = null;
    if (submitting || stale) {
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    dirty = false;
    // keepalive: a save under way is finished even if the patient leaves the page meanwhile.
    fetch(url, {
      method: "POST",
      body: answers(),
      credentials: "same-origin",
      redirect: "error",
      keepalive: true,
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (response.status === 409) {
          return response.json().then(function (body) {
            if (body && body.stale === true) {
              stale = true;
            }
            throw response;
          });
        }
        if (!response.ok) {
          throw response;
        }
        return response.json();
      })
      .then(function (body) {
        if (!body || body.saved !== true || typeof body.revision !== "number") {
          throw new Error("not saved");
        }
        // The next background save is based on what the server now holds.
        revision.value = String(body.revision);
        if (!dirty && !submitting) {
          show("saved", MESSAGES.saved);
        }
        restartIdleClock();
      })
      .catch(function (problem) {
        dirty = true;
        if (submitting) {
          return; // the page's own POST is on its way and saves everything
        }
        if (stale) {
          show("error", MESSAGES.stale);
        } else {
          show("error", problem && problem.status === 401 ? MESSAGES.signedOut : MESSAGES.offline);
        }
      })
      .then(function () {
        inFlight = false;
        if (again && !submitting && !stale) {
          again = false;
          save();
        }
      });
  }

  function changed() {
    dirty = true;
    if (status && status.dataset.state === "saved") {
      show("", "");
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  // Leaving the page without one of its buttons: send what is not saved yet.
  // Hidden (another app or tab; the page may come back, or be discarded without a pagehide):
  // an ordinary background save (fetch with keepalive, which the browser finishes even if the
  // page is discarded), so that its answer, the new revision, still reaches the page; with a
  // save on its way, the next one follows it as usual.
  // Unloaded (pagehide: browser back, a link, closing the tab): a beacon, based on the same
  // revision as a save still on its way; whichever lands second is refused, so older answers
  // never replace newer ones.
  function flush(event) {
    if (submitting || stale || (!dirty && !inFlight && timer === null)) {
      return;
    }
    if (event.type !== "pagehide") {
      if (dirty || timer !== null) {
        save();
      }
      return;
    }
    window.clearTimeout(timer);
    timer = null;
    var data = answers();
    var sent = navigator.sendBeacon && navigator.sendBeacon(url, data);
    if (!sent) {
      fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true });
    }
    dirty = false;
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // A button of the form (Save, a section, Sign out, Add a row, Remove) saves the whole page
  // itself: the pending background save is cancelled and none starts from now on (one already
  // on its way is refused by the server if it lands after the POST: it is based on an older
  // revision).
  form.addEventListener("submit", function () {
    submitting = true;
    again = false;
    window.clearTimeout(timer);
    timer = null;
  });
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function (event) {
    if (document.visibilityState === "hidden") {
      flush(event);
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      submitting = false;
    }
  });

  // --- The idle warning -----------------------------------------------------------------
  var dialog = document.getElementById("session-dialog");
  var idleSeconds = parseInt(form.dataset.sessionSeconds, 10);
  var warnTimer = null;
  var endTimer = null;
  if (!dialog || !(idleSeconds > 0)) {
    return;
  }
  // Two minutes before the limit (half the limit when it is shorter than four minutes).
  var warnAfterMs = Math.max(idleSeconds - 120, Math.floor(idleSeconds / 2)) * 1000;
  var stayButton = dialog.querySelector("[data-session-stay]");
  var signOutButton = dialog.querySelector("[data-session-sign-out]");
  var signInLink = dialog.querySelector("[data-session-sign-in]");
  var dialogText = document.getElementById("session-dialog-text");
  var dialogError = dialog.querySelector(".session-dialog-error");

  function openDialog() {
    if (dialog.open) {
      return;
    }
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
  }

  function closeDialog() {
    if (typeof dialog.close === "function") {
      dialog.close();
    } else {
      dialog.removeAttribute("open");
    }
  }

  function warn() {
    if (dirty || timer !== null) {
      window.clearTimeout(timer);
      save();
    }
    dialogError.hidden = true;
    openDialog();
    stayButton.focus();
  }

  function ended() {
    if (dirty || timer !== null) {
      window.clearTimeout(timer);
      save();
    }
    dialogText.textContent = dialogText.dataset.expiredText;
    stayButton.hidden = true;
    signOutButton.hidden = true;
    signInLink.hidden = false;
    openDialog();
    signInLink.focus();
  }

  function restartIdleClock() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(warn, warnAfterMs);
    endTimer = window.setTimeout(ended, idleSeconds * 1000);
  }

  stayButton.addEventListener("click", function () {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    fetch(form.dataset.stayUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "error",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw response;
        }
        return response.json();
      })
      .then(function (body) {
        if (!body || body.signed_in !== true) {
          throw new Error("not signed in");
        }
        closeDialog();
        restartIdleClock();
      })
      .catch(function () {
        dialogError.hidden = false;
      });
  });

  restartIdleClock();
})();
