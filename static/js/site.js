// Pledge Tracker: small enhancements on top of htmx. Every page works without this file.
(function () {
  "use strict";

  var timer = null;

  function say(text) {
    var toast = document.getElementById("toast");
    if (!toast) {
      return;
    }
    toast.textContent = text;
    toast.hidden = false;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      toast.hidden = true;
    }, 6000);
  }

  document.addEventListener("tracker:message", function (event) {
    say(event.detail.value);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 429) {
      say("Too many requests. Wait a minute and try again.");
    } else if (status === 400) {
      say("This page has expired. Reload it and try again.");
    } else if (status === 401 || status === 403) {
      say("Your session has ended. Sign in again to make changes.");
    } else {
      say("That did not work (error " + status + "). Reload the page and try again.");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    say("The server could not be reached. Check your connection and try again.");
  });

  // In an edit form: Escape cancels, Ctrl+Enter (or Cmd+Enter) saves.
  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("form.pledge-form");
    if (!form) {
      return;
    }
    if (event.key === "Escape") {
      var cancel = form.querySelector(".cancel-link");
      if (cancel) {
        event.preventDefault();
        cancel.click();
      }
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // When a row swaps back from its form, put focus back on its Edit link so keyboard
  // users keep their place in the table.
  var swapped = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    swapped = event.detail.target && event.detail.target.id;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var row = swapped && document.getElementById(swapped);
    swapped = null;
    if (row && row.classList.contains("pledge-row") && !row.querySelector("form")) {
      var edit = row.querySelector(".edit-link");
      if (edit) {
        edit.focus();
      }
    }
  });
})();

// Review queue keys: j/k move between passages, a/p accept, r goes to the reason to reject.
(function () {
  "use strict";

  var PENDING = ".review-item:not(.review-item--decided)";

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll(PENDING));
  }

  // The passage to look at after `decided`: the next one still waiting, else the one
  // before it, else the message that none is left (shown now).
  function after(decided) {
    var list = items();
    var later = list.filter(function (item) {
      return decided.compareDocumentPosition(item) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    var next = later[0] || list[list.length - 1];
    if (next) {
      return next;
    }
    var empty = document.getElementById("review-empty");
    if (empty) {
      empty.hidden = false;
    }
    return empty;
  }

  // After a verdict, focus moves on, so keys never act on the passage just decided.
  var verdict = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    verdict = target && target.classList.contains("review-item") ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var decided = verdict && document.getElementById(verdict);
    verdict = null;
    if (decided && decided.classList.contains("review-item--decided")) {
      var next = after(decided);
      if (next) {
        next.focus();
        next.scrollIntoView({ block: "nearest" });
      }
    }
  });

  function current() {
    return document.activeElement && document.activeElement.closest
      ? document.activeElement.closest(".review-item")
      : null;
  }

  document.addEventListener("keydown", function (event) {
    var typing = event.target.matches && event.target.matches("input, textarea, select");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var list = items();
    if (!list.length) {
      return;
    }
    var here = current();
    var index = here ? list.indexOf(here) : -1;
    if (event.key === "j" || event.key === "k") {
      var next = list[Math.min(Math.max(index + (event.key === "j" ? 1 : -1), 0), list.length - 1)];
      next.focus();
      next.scrollIntoView({ block: "nearest" });
      event.preventDefault();
      return;
    }
    var target = here || list[0];
    var control = target.querySelector('[data-key="' + event.key + '"]');
    if (control) {
      event.preventDefault();
      if (control.tagName === "INPUT") {
        control.focus();
      } else {
        control.click();
      }
    }
  });
})();
