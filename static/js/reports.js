// Contribution report form: show only the goals of the partnership of the chosen member.
// Options carry data-partnership (set by the form's widgets); no inline script needed.
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) { return; }
  const select = form.querySelector("select[name='membership']");
  const goals = Array.from(form.querySelectorAll("input[name='goals'][data-partnership]"));
  if (!goals.length) { return; }

  function chosenPartnership() {
    if (select) {
      const option = select.options[select.selectedIndex];
      return option ? option.getAttribute("data-partnership") : null;
    }
    const fixed = form.querySelector("[name='membership'][data-partnership]");
    return fixed ? fixed.getAttribute("data-partnership") : null;
  }

  function update() {
    const partnership = chosenPartnership();
    goals.forEach(function (input) {
      const wrapper = input.closest(".form-check") || input.parentElement;
      const matches = !partnership || input.getAttribute("data-partnership") === partnership;
      wrapper.classList.toggle("d-none", !matches);
      if (!matches) { input.checked = false; }
    });
  }

  if (select) { select.addEventListener("change", update); }
  update();
})();
