// nginx's "cannot answer" page (unavailable.html): what a form sent with
// unsent.js held is shown, and marked for that form to put back in its
// fields when the reader returns to the page. A file, not an inline script:
// the Content-Security-Policy runs scripts from this site only.
"use strict";
(function () {
  const KEY = "glutablog.unsent-form";
  let kept = null;
  try {
    kept = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
  } catch (error) {
    return;
  }
  if (!kept || !kept.fields || Date.now() - kept.sentAt > 10 * 60 * 1000) {
    return;
  }
  kept.failed = true;
  window.sessionStorage.setItem(KEY, JSON.stringify(kept));
  const longest = Object.values(kept.fields).reduce(
    (found, value) => (value.length > found.length ? value : found),
    ""
  );
  document.getElementById("unsent-text").value = longest;
  document.getElementById("unsent-back").href = kept.page + "#" + kept.form;
  document.getElementById("unsent").hidden = false;
})();
