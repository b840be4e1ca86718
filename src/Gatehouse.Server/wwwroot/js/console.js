// Closes the phone menu after Blazor's enhanced navigation swaps the page in (the DOM, and so the
// menu toggle's state, is kept across such navigations).
(function () {
  "use strict";
  function closeMenu() {
    var toggle = document.getElementById("nav-toggle");
    if (toggle) { toggle.checked = false; }
  }
  if (window.Blazor && typeof window.Blazor.addEventListener === "function") {
    window.Blazor.addEventListener("enhancedload", closeMenu);
  }
})();
