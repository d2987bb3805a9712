// The lead form (directory/lead_form.html), as the merchant types: warn when the budget is
// below a chosen partner's minimum, stop ticking partners at the limit, and take the focus
// to the error summary and from it to each field. Without JavaScript the server shows the
// same warning and refuses too many partners with an error.
(function () {
  "use strict";
  var form = document.querySelector("[data-lead-form]");
  if (!form) { return; }
  var max = parseInt(form.getAttribute("data-max-partners"), 10);
  var budget = form.querySelector("input[name=budget]");
  var warning = form.querySelector("[data-budget-warning]");
  var count = form.querySelector("[data-partner-count]");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=partners]"));

  function chosen() {
    return boxes.filter(function (box) { return box.checked; });
  }

  function showBudgetWarning() {
    if (!warning || !budget) { return; }
    var amount = budget.value === "" ? NaN : Number(budget.value);
    var above = {};
    chosen().forEach(function (box) {
      var minimum = Number(box.closest("[data-partner-option]").getAttribute("data-budget-min"));
      if (!isNaN(amount) && minimum && amount < minimum) { above[box.value] = true; }
    });
    var any = false;
    warning.querySelectorAll("[data-budget-min-of]").forEach(function (item) {
      var shown = Boolean(above[item.getAttribute("data-budget-min-of")]);
      item.hidden = !shown;
      any = any || shown;
    });
    warning.hidden = !any;
  }

  function keepToLimit() {
    var ticked = chosen().length;
    var full = ticked >= max;
    boxes.forEach(function (box) { box.disabled = full && !box.checked; });
    if (count) {
      var text = count.getAttribute("data-chosen-text")
        .replace("{count}", ticked).replace("{max}", max);
      count.textContent = full ? text + " " + count.getAttribute("data-full-text") : text;
    }
  }

  if (budget) { budget.addEventListener("input", showBudgetWarning); }
  boxes.forEach(function (box) {
    box.addEventListener("change", function () { keepToLimit(); showBudgetWarning(); });
  });
  keepToLimit();
  showBudgetWarning();

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("[data-error-link]");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      var control = target.matches("input, select, textarea")
        ? target : target.querySelector("input:not([disabled]), select, textarea");
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      if (control) { control.focus(); }
    });
  }
})();
