// Tells the console which time zone the browser is in, so pages show and read times in it (see ViewerTime.cs).
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("gatehouse.tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "gatehouse.tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=strict";
    }
  } catch (e) {
    // An old browser without Intl time zones: the console stays in UTC and says so.
  }
})();
