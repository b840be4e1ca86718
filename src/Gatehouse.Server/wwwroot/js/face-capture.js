// The console's face capture page (/users/{id}/faces/new): shows the live camera inside the face guide and,
// on Take Photo, puts the current frame into the form's photo field as a JPEG and posts the form, which the
// server renders with the analysis. Without a camera (or without this script) the form still posts a chosen file.
// Pages come and go through enhanced navigation, so the camera is started and stopped on each page load.
(function () {
  "use strict";

  var stream = null;

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
  }

  function unavailable(root, text) {
    var note = root.querySelector("[data-camera-note]");
    note.textContent = text;
    note.classList.remove("is-hidden");
    root.querySelector("[data-camera]").classList.add("is-off");
  }

  function frameAsJpeg(video) {
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.92); });
  }

  function start() {
    var root = document.querySelector("[data-face-capture]");
    if (!root) { stop(); return; }
    if (root.getAttribute("data-started")) { return; }
    root.setAttribute("data-started", "true");
    stop();

    var video = root.querySelector("[data-video]");
    var take = root.querySelector("[data-take]");
    var input = root.querySelector("input[type=file][name=photo]");
    var form = input.form;

    take.addEventListener("click", function () {
      if (!video.videoWidth) { return; }
      take.disabled = true;
      take.textContent = "Analysing…";
      frameAsJpeg(video).then(function (blob) {
        var files = new DataTransfer();
        files.items.add(new File([blob], "camera.jpg", { type: "image/jpeg" }));
        input.files = files.files;
        stop();
        form.requestSubmit();
      });
    });

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      unavailable(root, "This browser cannot open a camera here. Choose a photo instead.");
      return;
    }

    navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 960 } } })
      .then(function (media) {
        if (!document.body.contains(root)) {
          media.getTracks().forEach(function (track) { track.stop(); });
          return;
        }
        stream = media;
        video.srcObject = media;
        return video.play().catch(function () { /* A muted video may autoplay; frames still arrive. */ }).then(function () {
          root.querySelector("[data-camera-note]").classList.add("is-hidden");
          take.classList.remove("is-hidden");
          take.disabled = false;
        });
      })
      .catch(function (error) {
        unavailable(root, error && error.name === "NotAllowedError"
          ? "The camera was not allowed. Allow it in the browser's site settings, or choose a photo instead."
          : "No camera could be opened. Choose a photo instead.");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  if (window.Blazor && typeof window.Blazor.addEventListener === "function") {
    window.Blazor.addEventListener("enhancedload", start);
  }
  window.addEventListener("pagehide", stop);
})();
