// The comment box counts down to its limit (issue 15: text pasted past the
// limit used to vanish without a word). A file, not an inline script: the
// Content-Security-Policy runs scripts from this site only.
//
// - The limit is the box's data-limit (no maxlength: the browser would cut
//   pasted text). The page says the limit in words without this script, and
//   the server refuses too long a comment with everything kept.
// - Counted as the server counts: characters (code points, so an emoji is
//   one), a line break as one.
// - The count under the box changes as the reader types; it is hidden from
//   screen readers, which would read every change. They hear a polite
//   announcement instead, once the reader pauses, and only near or over the
//   limit (the last tenth), once per different count.
"use strict";
(function () {
  const box = document.querySelector("textarea[data-limit]");
  const shown = box && document.getElementById(box.id + "_count");
  const spoken = box && document.getElementById(box.id + "_count_live");
  const limit = box ? Number(box.dataset.limit) : 0;
  if (!shown || !spoken || !(limit > 0)) {
    return;
  }
  const PAUSE_MS = 1000;
  const SPEAK_WHEN_LEFT = Math.ceil(limit / 10);
  const format = new Intl.NumberFormat("en-US");
  let timer = null;
  let lastSpoken = "";

  function characters(n) {
    return format.format(n) + (n === 1 ? " character" : " characters");
  }

  function update(speak) {
    const left = limit - Array.from(box.value).length;
    const message = left >= 0 ? characters(left) + " left" : characters(-left) + " too many";
    shown.textContent = message;
    shown.classList.toggle("text-danger", left < 0);
    window.clearTimeout(timer);
    if (!speak) {
      return;
    }
    timer = window.setTimeout(function () {
      if (left <= SPEAK_WHEN_LEFT && message !== lastSpoken) {
        spoken.textContent = message;
        lastSpoken = message;
      }
    }, PAUSE_MS);
  }

  // Shown now, to the eye only (hidden until this script runs: nothing to say without it).
  shown.setAttribute("aria-hidden", "true");
  shown.hidden = false;
  box.addEventListener("input", function () {
    update(true);
  });
  update(false); // a form sent back with too long a text shows it at once
})();
