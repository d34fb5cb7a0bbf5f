/*
 * The post admin's live preview: the body rendered beside the Markdown as the
 * editor types, by the server's own pipeline (POST to the URL in the body
 * field's data-preview-url, with the admin page's CSRF token), against the
 * references and disclaimers in the form as it is now. Nothing is saved.
 *
 * A static file loaded by PostAdmin's Media: no inline script, no eval (the
 * site's Content-Security-Policy is script-src 'self'). The HTML shown comes
 * from the server sanitised (nh3, core.markup); error messages are set as text.
 */
(function () {
  "use strict";

  const DELAY_MS = 400; // after the last keystroke
  const RETRY_MS = 1500; // when the server says it is busy

  function start() {
    const body = document.getElementById("id_body");
    const form = body && body.form;
    const url = body && body.dataset.previewUrl;
    if (!form || !url) {
      return;
    }

    const wrapper = document.createElement("div");
    wrapper.className = "body-with-preview";
    body.parentNode.insertBefore(wrapper, body);
    wrapper.appendChild(body);

    const panel = document.createElement("section");
    panel.className = "body-preview";
    panel.setAttribute("aria-label", "Preview of the body");
    const heading = document.createElement("div");
    heading.className = "body-preview-heading";
    const title = document.createElement("strong");
    title.textContent = "Preview";
    const status = document.createElement("span");
    status.className = "body-preview-status";
    status.setAttribute("role", "status");
    heading.append(title, status);
    const errors = document.createElement("ul");
    // Not "errorlist": the form's own errors (after a save) keep that class alone.
    errors.className = "body-preview-errors";
    errors.hidden = true;
    const content = document.createElement("div");
    content.className = "body-preview-content post-body";
    panel.append(heading, errors, content);
    wrapper.appendChild(panel);

    let timer = null;
    let inFlight = false;
    let pending = false;
    let lastSent = null;
    let stopped = false;

    function schedule(delay) {
      if (stopped) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(send, delay === undefined ? DELAY_MS : delay);
    }

    function isDeleted(row) {
      const box = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
      return Boolean(box && box.checked);
    }

    function rows(prefix) {
      const group = document.getElementById(prefix + "-group");
      if (!group) {
        return [];
      }
      return Array.from(group.querySelectorAll(".inline-related, tr.form-row")).filter(
        (row) => row.id && row.id.startsWith(prefix + "-") && !row.id.endsWith("-empty")
          && !row.classList.contains("empty-form") && !isDeleted(row)
      );
    }

    function field(row, name) {
      return row.querySelector('[name$="-' + name + '"]');
    }

    function isKept(row) {
      // A row already saved counts; a new one once something is typed in it
      // (Django ignores an untouched extra form).
      const id = field(row, "id");
      if (id && id.value) {
        return true;
      }
      return Array.from(row.querySelectorAll("input[type=text], input[type=url], input[type=number], textarea, select"))
        .some((input) => !input.name.endsWith("-order") && input.value.trim() !== "");
    }

    function ordered(list) {
      return list
        .map((row, index) => {
          const order = field(row, "order");
          const value = order && order.value.trim() !== "" ? Number(order.value) : 0;
          return { row: row, order: Number.isFinite(value) ? value : 0, index: index };
        })
        .sort((a, b) => a.order - b.order || a.index - b.index)
        .map((item) => item.row);
    }

    function snapshot() {
      const data = new FormData();
      data.append("body", body.value);
      data.append("reference_count", String(rows("references").filter(isKept).length));
      ordered(rows("post_disclaimers").filter(isKept)).forEach((row) => {
        const select = field(row, "disclaimer");
        if (select && select.value) {
          data.append("disclaimer", select.value);
        }
      });
      return data;
    }

    function key(data) {
      return JSON.stringify(Array.from(data.entries()));
    }

    function showErrors(messages) {
      errors.replaceChildren();
      messages.forEach((message) => {
        const item = document.createElement("li");
        item.textContent = message;
        errors.appendChild(item);
      });
      errors.hidden = messages.length === 0;
      panel.classList.toggle("has-errors", messages.length > 0);
    }

    async function send() {
      if (inFlight) {
        pending = true;
        return;
      }
      const data = snapshot();
      const current = key(data);
      if (current === lastSent) {
        return;
      }
      const token = form.querySelector('input[name="csrfmiddlewaretoken"]');
      inFlight = true;
      status.textContent = "Updating…";
      try {
        const response = await fetch(url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
        });
        const type = response.headers.get("Content-Type") || "";
        const answer = type.includes("application/json") ? await response.json() : {};
        if (response.status === 429) {
          status.textContent = "Waiting…";
          pending = true;
          inFlight = false;
          schedule(RETRY_MS);
          return;
        }
        if (!response.ok) {
          showErrors(answer.errors || ["The preview is not available (" + response.status + ")."]);
          status.textContent = "Not updated";
        } else {
          content.innerHTML = answer.html; // sanitised by the server (nh3)
          showErrors(answer.errors || []);
          lastSent = current;
          status.textContent = answer.errors && answer.errors.length
            ? "Updated, with " + answer.errors.length + " problem" + (answer.errors.length === 1 ? "" : "s")
            : "Up to date";
        }
      } catch (error) {
        status.textContent = "Not updated (no connection)";
      }
      inFlight = false;
      if (pending) {
        pending = false;
        schedule(0);
      }
    }

    form.addEventListener("submit", () => {
      // The page is leaving: no new preview.
      stopped = true;
      window.clearTimeout(timer);
    });
    form.addEventListener("input", () => schedule());
    form.addEventListener("change", () => schedule());
    document.addEventListener("formset:added", () => schedule());
    document.addEventListener("formset:removed", () => schedule());
    // The disclaimer fields are select2 widgets, which announce a choice
    // through jQuery only.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(form).on("change", "select", () => schedule());
    }
    schedule(0);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
