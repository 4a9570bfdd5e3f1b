// Kemitraan: small behaviours without inline script (the Content-Security-Policy forbids it).
document.addEventListener("submit", function (event) {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A form that came back with errors: bring its summary into view and read it out first.
const errorSummary = document.querySelector(".error-summary");
if (errorSummary) {
  errorSummary.focus();
}

// The add-member form: show the part of the organisation fieldset that the chosen source
// ("an existing organisation" / "a new organisation") needs. Without script both stay visible.
function showOrganisationSource(fieldset) {
  const checked = fieldset.querySelector('input[name="source"]:checked');
  const source = checked ? checked.value : "existing";
  fieldset.querySelectorAll("[data-source-panel]").forEach(function (panel) {
    panel.hidden = panel.getAttribute("data-source-panel") !== source;
  });
}
document.querySelectorAll("[data-organisation-source]").forEach(function (fieldset) {
  showOrganisationSource(fieldset);
  fieldset.addEventListener("change", function (event) {
    if (event.target.name === "source") {
      showOrganisationSource(fieldset);
    }
  });
});
