/* learn: optional niceties only; every page works without this file. */
(function () {
  "use strict";
  /* After answering, bring the feedback into view and give it focus so it is read out. */
  var feedback = document.getElementById("feedback");
  if (feedback && window.location.hash === "#feedback") { feedback.focus(); }
  /* A form is sent once: a second click while the page loads does nothing (the server also guards). */
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (f) { f.removeAttribute("data-sent"); });
  });
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
    });
  });
})();
