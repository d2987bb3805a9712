// Accessibility checks of the screenshot suite (test-only, injected by test_accessibility.py).
// WCAG 2.1 AA / JIS X 8341-3 is the reference; each check returns a list of violations
// [{rule, element}] where element is a short selector and text a developer can search for.
(function () {
  "use strict";

  var CONTROLS =
    "input:not([type=hidden]), select, textarea, button, [role=button], a[href], summary";
  // What a person can act on with a pointer, so must reach with Tab: native controls and
  // elements with an interactive role, whatever their tabindex; any other element only when
  // its tabindex puts it in the Tab order.
  var INTERACTIVE =
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), summary, iframe, " +
    "[contenteditable=true], [role=button], [role=link], [role=tab], [role=checkbox], " +
    "[role=menuitem], [role=switch]";

  function describe(element) {
    var text = (element.innerText || element.value || element.getAttribute("alt") || "")
      .replace(/\s+/g, " ").trim().slice(0, 40);
    var selector = element.tagName.toLowerCase();
    if (element.id) { selector += "#" + element.id; }
    element.classList.forEach(function (name, index) {
      if (index < 2) { selector += "." + name; }
    });
    ["name", "type", "href"].forEach(function (attribute) {
      var value = element.getAttribute(attribute);
      if (value && !(attribute === "type" && value === "submit")) {
        selector += "[" + attribute + "=" + value.slice(0, 50) + "]";
      }
    });
    var main = element.closest("main") ? "" : "(layout) ";
    return main + selector + (text ? ' "' + text + '"' : "");
  }

  // The text a screen reader reads for an element's content: text, images' alt, minus
  // whatever is aria-hidden.
  function contentText(node) {
    if (node.nodeType === Node.TEXT_NODE) { return node.textContent; }
    if (node.nodeType !== Node.ELEMENT_NODE) { return ""; }
    if (node.getAttribute("aria-hidden") === "true") { return ""; }
    if (node.tagName === "IMG") { return node.getAttribute("alt") || ""; }
    if (node.getAttribute("aria-label")) { return node.getAttribute("aria-label"); }
    var text = "";
    node.childNodes.forEach(function (child) { text += contentText(child); });
    return text;
  }

  function accessibleName(element) {
    var labelledby = element.getAttribute("aria-labelledby");
    if (labelledby) {
      return labelledby.split(/\s+/).map(function (id) {
        var target = document.getElementById(id);
        return target ? contentText(target) : "";
      }).join(" ").trim();
    }
    var label = (element.getAttribute("aria-label") || "").trim();
    if (label) { return label; }
    var tag = element.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      var type = (element.getAttribute("type") || "").toLowerCase();
      if (["submit", "reset", "button"].indexOf(type) >= 0) {
        return (element.value || "").trim() || (type === "submit" ? "submit" : "");
      }
      if (type === "image") { return (element.getAttribute("alt") || "").trim(); }
      var texts = Array.prototype.map.call(element.labels || [], contentText);
      var fromLabels = texts.join(" ").trim();
      if (fromLabels) { return fromLabels; }
    } else {
      var own = contentText(element).replace(/\s+/g, " ").trim();
      if (own) { return own; }
    }
    return (element.getAttribute("title") || "").trim();
  }

  function names() {
    var found = [];
    document.querySelectorAll(CONTROLS).forEach(function (element) {
      if (!accessibleName(element)) {
        found.push({ rule: "control without an accessible name", element: describe(element) });
      }
    });
    document.querySelectorAll("[aria-hidden=true] *").forEach(function (element) {
      if (element.matches(CONTROLS) && element.tabIndex >= 0) {
        found.push({ rule: "focusable inside aria-hidden", element: describe(element) });
      }
    });
    document.querySelectorAll("[role=img]").forEach(function (element) {
      if (!(element.getAttribute("aria-label") || element.getAttribute("aria-labelledby"))) {
        found.push({ rule: "role=img (a chart) without a label", element: describe(element) });
      }
    });
    document.querySelectorAll("img:not([alt])").forEach(function (image) {
      found.push({ rule: "image without alt", element: describe(image) + " " + image.src });
    });
    return found;
  }

  function structure() {
    var found = [];
    var page = "document";
    if (!(document.documentElement.getAttribute("lang") || "").trim()) {
      found.push({ rule: "html without lang", element: page });
    }
    if (!document.title.trim()) { found.push({ rule: "page without a title", element: page }); }
    var mains = document.querySelectorAll("main, [role=main]").length;
    if (mains !== 1) {
      found.push({ rule: mains + " main landmarks instead of one", element: page });
    }
    var headings = document.querySelectorAll("main h1, main h2, main h3, main h4, main h5, main h6");
    if (!document.querySelector("main h1")) {
      found.push({ rule: "no h1 in main", element: page });
    }
    var previous = 1;
    headings.forEach(function (heading) {
      var level = Number(heading.tagName.slice(1));
      if (level > previous + 1) {
        found.push({
          rule: "heading h" + level + " after h" + previous + " skips a level",
          element: describe(heading),
        });
      }
      previous = level;
    });
    return found;
  }

  // Contrast (WCAG 1.4.3): the text colour against the background actually behind it,
  // composed from the element's and its ancestors' background colours. A background image
  // or gradient cannot be resolved: such text is counted as skipped, not judged.
  function parseColor(value) {
    var match = value.match(/rgba?\(([^)]+)\)/);
    if (!match) { return null; }
    var parts = match[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }

  function over(top, bottom) {
    var a = top.a;
    return {
      r: top.r * a + bottom.r * (1 - a),
      g: top.g * a + bottom.g * (1 - a),
      b: top.b * a + bottom.b * (1 - a),
      a: 1,
    };
  }

  function luminance(color) {
    function channel(value) {
      var c = value / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b);
  }

  function ratio(one, two) {
    var l1 = luminance(one), l2 = luminance(two);
    return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  }

  // The opaque background behind an element, or null when an image or gradient is part of it.
  function background(element) {
    var layers = [];
    for (var node = element; node && node.nodeType === Node.ELEMENT_NODE; node = node.parentElement) {
      var style = getComputedStyle(node);
      if (style.backgroundImage !== "none") { return null; }
      var color = parseColor(style.backgroundColor);
      if (color && color.a > 0) {
        layers.push(color);
        if (color.a >= 1) { break; }
      }
    }
    var result = { r: 255, g: 255, b: 255, a: 1 };
    for (var i = layers.length - 1; i >= 0; i--) { result = over(layers[i], result); }
    return result;
  }

  function opacity(element) {
    var value = 1;
    for (var node = element; node; node = node.parentElement) {
      value *= Number(getComputedStyle(node).opacity);
    }
    return value;
  }

  function shown(element) {
    return element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) &&
      element.getClientRects().length > 0;
  }

  function contrast() {
    // What a closed <details> holds (menus, filters) is judged too: opened for the count,
    // closed again before the page's toggle handlers run.
    var closed = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    closed.forEach(function (details) { details.open = true; });
    try {
      return judgeContrast();
    } finally {
      closed.forEach(function (details) { details.open = false; });
    }
  }

  function judgeContrast() {
    var found = [];
    var skipped = 0;
    var judged = new Set();
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    var elements = [];
    while (walker.nextNode()) {
      var parent = walker.currentNode.parentElement;
      if (walker.currentNode.textContent.trim() && parent && !judged.has(parent)) {
        judged.add(parent);
        elements.push(parent);
      }
    }
    document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea")
      .forEach(function (control) { elements.push(control); });
    elements.forEach(function (element) {
      // Hidden, inside a chart's SVG (its fill is not the CSS colour), or an inactive
      // control (WCAG exempts them): not judged.
      if (!shown(element) || element.closest("svg, option, script, style, noscript") ||
          element.matches(":disabled")) { return; }
      var behind = background(element);
      if (!behind) { skipped++; return; }
      var style = getComputedStyle(element);
      var text = parseColor(style.color);
      if (!text) { skipped++; return; }
      text = over({ r: text.r, g: text.g, b: text.b, a: text.a * opacity(element) }, behind);
      var size = parseFloat(style.fontSize);
      var large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      var needed = large ? 3 : 4.5;
      var got = ratio(text, behind);
      if (got < needed - 0.005) {
        found.push({
          rule: "text contrast " + got.toFixed(2) + ":1 < " + needed + ":1 (" +
            style.color + " on " + style.backgroundColor + " / effective rgb(" +
            [behind.r, behind.g, behind.b].map(Math.round).join(",") + "))",
          element: describe(element),
        });
      }
    });
    return { found: found, skipped: skipped };
  }

  // Keyboard: the visible elements Tab should reach, each marked with data-a11y-key, and
  // how each looks unfocused (to tell whether focus changes its look).
  function focusLook(element) {
    var style = getComputedStyle(element);
    return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
      style.backgroundColor, style.borderColor, style.textDecorationLine, style.color].join("|");
  }

  function tabbables() {
    var list = [];
    document.querySelectorAll(INTERACTIVE + ", [tabindex]").forEach(function (element) {
      if (!element.matches(INTERACTIVE) && element.tabIndex < 0) { return; }
      if (element.closest("[inert]") || !shown(element)) { return; }
      // Hidden from assistive technology and out of the Tab order on purpose (a honeypot).
      if (element.closest("[aria-hidden=true]") && element.tabIndex < 0) { return; }
      if (element.tagName === "SUMMARY" && element.parentElement.tagName !== "DETAILS") { return; }
      var key = String(list.length);
      element.setAttribute("data-a11y-key", key);
      list.push({
        key: key,
        // A radio group is one stop of the Tab order; any of its radios reaches it.
        group: element.type === "radio" && element.name ? "radio:" + element.name : key,
        element: describe(element),
        look: focusLook(element),
      });
    });
    return list;
  }

  // Tab from the top of the page, even when a field took the focus on load (autofocus).
  function focusTop() {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute("tabindex");
  }

  function focused() {
    var element = document.activeElement;
    if (!element || element === document.body) { return null; }
    return {
      key: element.getAttribute("data-a11y-key"),
      element: describe(element),
      look: focusLook(element),
      inMain: !!element.closest("main"),
    };
  }

  window.kizunaA11y = {
    names: names,
    structure: structure,
    contrast: contrast,
    tabbables: tabbables,
    focused: focused,
    focusTop: focusTop,
  };
})();
