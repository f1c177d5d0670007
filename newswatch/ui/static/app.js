// newswatch web UI: the only script. Every page works without it; it saves a few clicks.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filter selects apply as soon as they change.
  for (const select of document.querySelectorAll("select.autosubmit")) {
    select.addEventListener("change", () => select.form.submit());
  }
  // Ask before destructive or hard-to-undo buttons.
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }
  // "Back to the form" keeps unsaved edits when there is a page to go back to.
  for (const link of document.querySelectorAll("a.back")) {
    link.addEventListener("click", (event) => {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  }
  // "/" focuses the search box, as in most inboxes.
  const search = document.querySelector("input[type=search]");
  if (search) {
    document.addEventListener("keydown", (event) => {
      if (event.key === "/" && document.activeElement.tagName !== "INPUT"
          && document.activeElement.tagName !== "TEXTAREA") {
        event.preventDefault(); search.focus();
      }
    });
  }
});
