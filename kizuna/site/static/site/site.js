// Kizuna's own small behaviours, no library: the collapsible navigation on narrow
// screens, one open menu at a time (Escape closes it), and a confirmation before
// irreversible buttons.
// Without JavaScript the navigation is simply shown in full and buttons submit directly.
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = document.querySelector(".nav-toggle");
  if (header && toggle) {
    header.classList.add("nav-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      header.classList.toggle("nav-open", open);
    });
  }

  var menus = document.querySelectorAll(".nav-menu");
  function closeMenus(except) {
    menus.forEach(function (menu) {
      if (menu !== except) { menu.open = false; }
    });
  }
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) { closeMenus(menu); }
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".nav-menu")) { closeMenus(null); }
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    // Focus on a link of the menu being closed would fall back to the top of the page:
    // it goes back to the menu's summary, where the keyboard user was.
    var menu = document.activeElement && document.activeElement.closest(".nav-menu[open]");
    closeMenus(null);
    if (menu) { menu.querySelector("summary").focus(); }
  });
})();
