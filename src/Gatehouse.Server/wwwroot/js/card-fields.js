// The card forms (a user's "Add Manually", the access explorer's card): shows the fields and ranges of the
// chosen format and checks the numbers as they are typed. The server checks them again and has the last
// word; this only says so sooner. Listeners sit on the document, so pages swapped in by enhanced
// navigation need nothing re-attached.
(function () {
  "use strict";

  var groupDigits = new Intl.NumberFormat("en-US");

  function formatOf(form) {
    var select = form.querySelector("[data-card-format]");
    var option = select && select.options[select.selectedIndex];
    if (!option) { return null; }
    return {
      name: option.value,
      facilityMax: Number(option.getAttribute("data-facility-max")),
      numberMax: Number(option.getAttribute("data-number-max")),
      facilityLabel: option.getAttribute("data-facility-label") || "Facility code"
    };
  }

  function fieldOf(input) { return input.closest(".field"); }

  // Shows or hides a part of the form; a hidden part's input is disabled so it is not sent.
  function showPart(form, part, shown) {
    var input = form.querySelector("[data-card-check='" + part + "']");
    if (!input) { return; }
    var field = fieldOf(input);
    field.classList.toggle("is-hidden", !shown);
    input.disabled = !shown;
    if (!shown) { setError(input, null); }
  }

  function setHint(input, text) {
    var hint = document.getElementById(input.id + "-hint");
    if (hint) { hint.textContent = text; }
  }

  function setError(input, message) {
    var live = document.getElementById(input.id + "-live");
    var server = document.getElementById(input.id + "-error");
    var field = fieldOf(input);
    // Once the value is edited, the server's message about the old value no longer applies.
    if (server) { server.classList.add("is-hidden"); }
    if (live) {
      live.textContent = message || "";
      live.classList.toggle("is-hidden", !message);
    }
    field.classList.toggle("field-invalid", !!message);
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }

  function checkNumber(value, max, label, formatName) {
    if (value === "") { return null; }
    if (!/^[0-9]+$/.test(value)) { return "Must be a whole number, digits only."; }
    if (Number(value) > max) {
      return label + " must be between 0 and " + groupDigits.format(max) + " for " + formatName + ".";
    }
    return null;
  }

  // The server's rule (CsnText): plain hex, or byte pairs with one kind of separator (':', '-' or a space) between them.
  function checkCsn(value) {
    if (value === "") { return null; }
    if (!/^[0-9A-Fa-f]+$/.test(value) && !/^[0-9A-Fa-f]{2}(?:([:\- ])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2})*)?$/.test(value)) {
      return "CSN must be hex digits (0-9, A-F), optionally with ':', '-' or a space between byte pairs.";
    }
    var hex = value.replace(/[: -]/g, "");
    if ([8, 14, 20].indexOf(hex.length) < 0) {
      return "CSN must be 8, 14 or 20 hex digits; this has " + hex.length + ".";
    }
    return null;
  }

  function check(input) {
    var form = input.closest("[data-card-form]");
    var format = form && formatOf(form);
    if (!format) { return; }
    var value = input.value.trim();
    var kind = input.getAttribute("data-card-check");
    if (kind === "facility") {
      setError(input, checkNumber(value, format.facilityMax, format.facilityLabel, format.name));
    } else if (kind === "number") {
      setError(input, checkNumber(value, format.numberMax, "Card number", format.name));
    } else if (kind === "csn") {
      setError(input, checkCsn(value));
    }
  }

  function applyFormat(form) {
    var format = formatOf(form);
    if (!format) { return; }
    var isCsn = format.numberMax === 0;
    showPart(form, "facility", format.facilityMax > 0);
    showPart(form, "number", !isCsn);
    showPart(form, "csn", isCsn);

    var facility = form.querySelector("[data-card-check='facility']");
    var number = form.querySelector("[data-card-check='number']");
    if (facility) {
      var label = form.querySelector("label[for='" + facility.id + "']");
      if (label) { label.textContent = format.facilityLabel; }
      setHint(facility, "Between 0 and " + groupDigits.format(format.facilityMax) + ".");
      if (!facility.disabled && facility.value !== "") { check(facility); }
    }
    if (number) {
      setHint(number, "Between 0 and " + groupDigits.format(format.numberMax) + ".");
      if (!number.disabled && number.value !== "") { check(number); }
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-card-format")) {
      applyFormat(target.closest("[data-card-form]"));
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-card-check")) {
      check(target);
    }
  });
})();
