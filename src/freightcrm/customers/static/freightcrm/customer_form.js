// Show only the fields that apply to the chosen kind of customer (organisation or individual).
(function () {
  "use strict";
  var ORGANISATION_ONLY = ["uscc", "legal_representative", "registered_capital", "founded_on", "size", "ownership", "website"];
  var INDIVIDUAL_ONLY = ["gender", "birth_date", "id_number", "id_number_masked", "occupation", "income_band"];

  function rows(names) {
    return names.flatMap(function (name) {
      return Array.from(document.querySelectorAll(".field-" + name));
    });
  }

  function apply(kind) {
    var individual = kind === "P";
    var unknown = kind === "";
    rows(ORGANISATION_ONLY).forEach(function (row) { row.hidden = individual && !unknown; });
    rows(INDIVIDUAL_ONLY).forEach(function (row) { row.hidden = !individual && !unknown; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_kind");
    if (select) {
      apply(select.value);
      select.addEventListener("change", function () { apply(select.value); });
      return;
    }
    var readonly = document.querySelector(".field-kind .readonly");
    if (readonly && readonly.dataset) {
      apply(readonly.getAttribute("data-kind") || "");
    }
  });
})();
