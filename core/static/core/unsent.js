// Keeps what a reader typed in a form marked data-keep-unsent (the comment
// form) in this tab's sessionStorage as it is sent. When no app server can
// answer, nginx shows its own page (unavailable.html), whose script marks the
// copy as failed; back on the form's page, this script puts the text back
// in the empty fields and says so. Text inputs, email and textareas only:
// never hidden fields, passwords, or fields hidden from people (a honeypot).
// The copy stays in this tab only, and is replaced by the next form sent.
"use strict";
(function () {
  const KEY = "glutablog.unsent-form";
  const FIELDS = 'input[type="text"], input[type="email"], textarea';

  function visibleFields(form) {
    return Array.from(form.querySelectorAll(FIELDS)).filter(
      (field) => field.name && !field.closest("[aria-hidden='true']")
    );
  }

  function keep(form) {
    const fields = {};
    for (const field of visibleFields(form)) {
      fields[field.name] = field.value;
    }
    const kept = { page: window.location.pathname, form: form.id, fields, sentAt: Date.now() };
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify(kept));
    } catch (error) {
      // Storage full or refused: the form is sent all the same.
    }
  }

  function restore(form) {
    let kept = null;
    try {
      kept = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
    } catch (error) {
      return;
    }
    if (!kept || !kept.failed || kept.page !== window.location.pathname || kept.form !== form.id) {
      return;
    }
    window.sessionStorage.removeItem(KEY);
    let restored = false;
    for (const field of visibleFields(form)) {
      const value = kept.fields[field.name];
      if (value && !field.value) {
        field.value = value;
        field.dispatchEvent(new Event("input", { bubbles: true }));
        restored = true;
      }
    }
    if (restored) {
      const note = document.createElement("p");
      note.className = "alert alert-warning unsent-restored";
      note.setAttribute("role", "status");
      note.textContent =
        "Your comment was not sent: the site could not answer. What you typed is back in the form; send it again.";
      form.prepend(note);
    }
  }

  for (const form of document.querySelectorAll("form[data-keep-unsent]")) {
    restore(form);
    form.addEventListener("submit", () => keep(form));
  }
  // Back from nginx's page, a browser may show this page from its memory
  // (back/forward cache) without running it again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      for (const form of document.querySelectorAll("form[data-keep-unsent]")) {
        restore(form);
      }
    }
  });
})();
