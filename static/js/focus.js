// Moves the focus, when a page opens, to what the reader's last action
// produced: the summary of a form's errors, or the notice that a comment
// awaits approval (elements marked data-focus-on-load, with tabindex="-1").
// A screen reader then reads it, and the Tab key goes on from there. A file,
// not an inline script: the Content-Security-Policy runs scripts from this
// site only.
//
// It waits for the load event: the browser's own move to the address's
// #fragment (the comment just sent) comes before it and would take the focus
// back to the page. A reader who already put the focus somewhere keeps it.
"use strict";
window.addEventListener("load", function () {
  const target = document.querySelector("[data-focus-on-load]");
  const untouched = !document.activeElement || document.activeElement === document.body;
  if (target && untouched) {
    target.focus();
  }
});
