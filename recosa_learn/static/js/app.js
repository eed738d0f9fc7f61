/* recosa_learn: small, optional improvements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  /* Country → region → municipality selects refresh themselves instead of needing "Update the lists". */
  function cascade(form) {
    var url = form.getAttribute("data-cascade");
    var country = form.querySelector("select[name=country]");
    var region = form.querySelector("select[name=region]");
    var town = form.querySelector("select[name=municipality]");
    if (!url || !country || !region || !town) { return; }
    function fill(select, items) {
      var keep = select.value;
      while (select.options.length > 1) { select.remove(1); }
      items.forEach(function (item) {
        var option = new Option(item.label, item.value);
        if (item.value === keep) { option.selected = true; }
        select.add(option);
      });
    }
    function refresh() {
      var query = "?country=" + encodeURIComponent(country.value) + "&region=" + encodeURIComponent(region.value);
      fetch(url + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          fill(region, data.regions);
          fill(town, data.municipalities);
        })
        .catch(function () { form.classList.remove("js"); });
    }
    country.addEventListener("change", function () { region.value = ""; town.value = ""; refresh(); });
    region.addEventListener("change", function () { town.value = ""; refresh(); });
  }
  document.querySelectorAll("form[data-cascade]").forEach(cascade);

  /* Focus the error summary so keyboard and screen-reader users hear what to fix. */
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) { summary.focus(); }
})();
