// Kemitraan: names for Django admin fields that a screen reader would otherwise announce without one
// (axe-core "label" and "aria-input-field-name"). Loaded by templates/admin/base_site.html.
//  - A date and time field (AdminSplitDateTime) has one row label without a "for", and two inputs:
//    each input is named "<row label> — <its own part>" ("Closes at — Date").
//  - An autocomplete field (select2) shows a combobox named only by its current value, empty at
//    first: it is labelled by the field's own label, then the value.
(function () {
  "use strict";

  function rowLabel(element) {
    const row = element.closest(".flex-container, .form-row, td");
    const label = row && row.querySelector("label");
    return label ? label.textContent.replace(/[:\s]+$/, "").trim() : "";
  }

  function nameDateTimeParts(root) {
    root.querySelectorAll("p.datetime").forEach(function (paragraph) {
      const field = rowLabel(paragraph);
      paragraph.querySelectorAll("input").forEach(function (input) {
        if (input.hasAttribute("aria-label")) { return; }
        let part = "";
        for (let node = input.previousSibling; node; node = node.previousSibling) {
          if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
            part = node.textContent.replace(/[:\s]+$/, "").trim();
            break;
          }
          if (node.nodeName === "BR") { break; }
        }
        input.setAttribute("aria-label", [field, part].filter(Boolean).join(" — "));
      });
    });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      if (!select.id) { return; }
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) { return; }
      let label = document.querySelector('label[for="' + select.id + '"]');
      let labelId = label && (label.id || (label.id = select.id + "_label"));
      if (!labelId) {
        const text = rowLabel(select);
        if (!text) { return; }
        container.setAttribute("aria-label", text);
      }
      const combobox = container.querySelector("[role=combobox]");
      const rendered = container.querySelector(".select2-selection__rendered");
      if (combobox && labelId) {
        const value = rendered && rendered.id ? " " + rendered.id : "";
        combobox.setAttribute("aria-labelledby", labelId + value);
      }
      if (rendered && labelId) {
        rendered.setAttribute("aria-labelledby", labelId + " " + rendered.id);
      }
    });
  }

  function nameAll(root) {
    nameDateTimeParts(root);
    nameAutocompletes(root);
  }

  // After Django's own scripts: autocomplete.js starts select2 in a jQuery ready handler, and
  // jQuery runs ready handlers in turn, so one added here (this script is deferred) runs after it.
  // Inline rows added later get their select2 on "formset:added".
  if (window.django && window.django.jQuery) {
    window.django.jQuery(function () { nameAll(document); });
  } else {
    nameAll(document);
  }
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () { nameAll(event.target || document); }, 0);
  });
})();
