// Devices in the console: keeps the Devices pages' status current, follows a card or face enrollment on a user's
// Card or Face panel until it ends, filters the Add device form's doors by site, and copies the agent's command.
// The pages are rendered by the server; this only polls small reads of it (/devices/live.json,
// /enrollments/{id}/status.json) and swaps in what the server renders. Listeners and timers are on the
// document, so pages swapped in by enhanced navigation need nothing re-attached.
(function () {
  "use strict";

  var DEVICES_EVERY_MS = 5000;
  var ENROLLMENT_EVERY_MS = 1000;

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        // A signed-out session is redirected to the sign-in page: that is not an answer.
        var type = response.headers.get("Content-Type") || "";
        if (response.status === 404) { return { gone: true }; }
        return response.ok && type.indexOf("application/json") === 0 ? response.json() : null;
      });
  }

  function setBadge(element, text, kind) {
    element.textContent = text;
    element.className = element.className.replace(/\bbadge-\S+/g, "").replace(/\s+/g, " ").trim() + " badge-" + kind;
  }

  function applyDevice(device) {
    document.querySelectorAll("[data-device-live='" + device.id + "']").forEach(function (root) {
      root.querySelectorAll("[data-live]").forEach(function (element) {
        var field = element.getAttribute("data-live");
        if (field === "status") {
          setBadge(element, device.status, device.statusKind);
        } else if (field === "unlockNote") {
          element.classList.toggle("is-hidden", !device.unlockNote);
        } else if (typeof device[field] === "string") {
          element.textContent = device[field];
        }
      });
      device.doors.forEach(function (door) {
        root.querySelectorAll("[data-live-door='" + door.id + "']").forEach(function (element) {
          setBadge(element, door.lock, door.lockKind);
        });
      });
      root.querySelectorAll("button[data-unlock]").forEach(function (button) { button.disabled = !device.online; });
    });
  }

  var devicesBusy = false;
  function pollDevices() {
    if (devicesBusy || document.hidden || !document.querySelector("[data-device-live]")) { return; }
    devicesBusy = true;
    getJson("/devices/live.json")
      .then(function (data) { if (data && data.devices) { data.devices.forEach(applyDevice); } })
      .catch(function () { /* The server is away for a moment; the next poll tries again. */ })
      .finally(function () { devicesBusy = false; });
  }

  // The enrollment ended: the server renders the panel with the outcome and the new card or face, and it replaces this one.
  function refreshPanel(box) {
    var panel = box.closest(".credential-panel");
    return fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // The same panel (Card or Face) in the fresh page, by the heading it is labelled by.
        var label = panel && panel.getAttribute("aria-labelledby");
        var selector = label ? ".credential-panel[aria-labelledby='" + label + "']" : ".credential-panel";
        var fresh = html && new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        if (panel && fresh) {
          panel.replaceWith(document.importNode(fresh, true));
        } else {
          window.location.reload();
        }
      });
  }

  var enrollmentBusy = false;
  function pollEnrollment() {
    var box = document.querySelector("[data-enrollment-poll]");
    if (enrollmentBusy || !box) { return; }
    enrollmentBusy = true;
    getJson(box.getAttribute("data-enrollment-poll"))
      .then(function (enrollment) {
        if (enrollment && (enrollment.gone || enrollment.status !== "pending")) { return refreshPanel(box); }
        return null;
      })
      .catch(function () { /* Tried again on the next tick. */ })
      .finally(function () { enrollmentBusy = false; });
  }

  setInterval(pollDevices, DEVICES_EVERY_MS);
  setInterval(pollEnrollment, ENROLLMENT_EVERY_MS);

  // Add device: only the doors of the chosen site can be picked; a hidden door is unticked so it is not sent.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-device-site")) { return; }
    select.form.querySelectorAll("[data-site-doors]").forEach(function (group) {
      var shown = !select.value || group.getAttribute("data-site-doors") === select.value;
      group.classList.toggle("is-hidden", !shown);
      if (!shown) {
        group.querySelectorAll("input[type='checkbox']").forEach(function (box) { box.checked = false; });
      }
    });
  });

  // Copy buttons: the clipboard where the browser allows it, else the text is selected for the person to copy.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    var source = button && document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied-text") || "Copied";
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    var select = function () {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(done, select);
    } else {
      select();
    }
  });
})();
