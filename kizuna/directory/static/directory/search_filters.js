// The directory's filters on a phone: folded behind a button that says how many filters
// are on, so the results come first. The CSS folds them only once this script has marked
// the layout; on a desktop (or without JavaScript) the filters are always shown.
(function () {
  "use strict";
  var layout = document.querySelector("[data-filter-layout]");
  if (!layout) { return; }
  var toggle = layout.querySelector(".directory-filter-toggle");
  var filters = document.getElementById(toggle.getAttribute("aria-controls"));
  var count = toggle.querySelector("[data-filter-count]");

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", String(open));
    layout.classList.toggle("filters-open", open);
  }

  // Counted as SearchForm.active_filter_count does: the keywords are not a filter.
  function activeFilters() {
    var active = filters.querySelectorAll("input[type=checkbox]:checked").length;
    filters.querySelectorAll("input[type=number], select").forEach(function (field) {
      if (field.value !== "") { active += 1; }
    });
    return active;
  }

  layout.classList.add("filters-foldable");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  filters.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
  filters.addEventListener("change", function () {
    var active = activeFilters();
    count.textContent = active ? " (" + active + ")" : "";
  });
})();
