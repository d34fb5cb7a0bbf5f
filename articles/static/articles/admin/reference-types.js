/*
 * The post admin's references: each reference shows the fields of its type
 * (journal article, book, chapter, report, web page) and names them as that
 * type does ("chapter title", "website"). Which fields and which names come
 * from the type's select (data-fields, data-labels: articles/citations.py),
 * so this file knows no type. New rows ("Add another reference") are set up
 * as Django's inline script adds them (its formset:added event).
 *
 * Without JavaScript every field shows; saving empties those the type does
 * not use. A static file loaded by PostAdmin's Media: no inline script.
 */
(function () {
  "use strict";

  function fieldName(element) {
    for (const name of element.classList) {
      if (name.startsWith("field-")) {
        return name.slice("field-".length);
      }
    }
    return "";
  }

  function show(element, visible) {
    element.style.display = visible ? "" : "none";
  }

  function capitalised(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function apply(select) {
    const row = select.closest(".inline-related");
    if (!row) {
      return;
    }
    const fields = JSON.parse(select.dataset.fields);
    const labels = JSON.parse(select.dataset.labels)[select.value] || {};
    const typed = new Set(Object.values(fields).flat());
    const used = new Set(fields[select.value] || typed);
    const wanted = (name) => !typed.has(name) || used.has(name);

    for (const line of row.querySelectorAll(".form-row")) {
      const boxes = line.querySelectorAll(".fieldBox");
      if (boxes.length) {
        let any = false;
        for (const box of boxes) {
          const visible = wanted(fieldName(box));
          show(box.parentElement, visible);
          any = any || visible;
        }
        show(line, any);
      } else {
        show(line, wanted(fieldName(line)));
      }
    }

    for (const label of row.querySelectorAll("label[for]")) {
      const input = document.getElementById(label.htmlFor);
      if (!input || !input.name) {
        continue;
      }
      const name = input.name.slice(input.name.lastIndexOf("-") + 1);
      if (label.dataset.label === undefined) {
        label.dataset.label = label.textContent;
      }
      label.textContent = labels[name] ? capitalised(labels[name]) + ":" : label.dataset.label;
    }
  }

  function setUp(root) {
    for (const select of root.querySelectorAll("select.reference-kind")) {
      apply(select);
    }
  }

  // One listener for every row, those Django's inline script adds later
  // included (it clones a template row, without its listeners).
  document.addEventListener("change", (event) => {
    if (event.target.matches("select.reference-kind")) {
      apply(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", () => setUp(document));
  document.addEventListener("formset:added", (event) => setUp(event.target));
})();
