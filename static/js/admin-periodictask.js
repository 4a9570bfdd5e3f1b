// Show a readable translation of the chosen crontab under the field (django-celery-beat admin).
(function () {
  "use strict";
  const $ = window.django && window.django.jQuery;
  if (!$) { return; }
  const data = document.getElementById("readable-crontabs");
  const readable = data ? JSON.parse(data.textContent) : {};
  const help = $(".field-crontab .help");
  const original = help.text();
  $(".field-crontab_translation").hide();
  $(".field-crontab").on("change", function () {
    const text = readable[$("#id_crontab").val()] || "";
    help.text(text ? original + " — " + text : original);
  });
})();
