"use strict";

// The device screen: shows what the simulated device shows (LED ring, prompt, lock) by polling
// /simulator/state, and taps cards and unplugs the network through the simulator's local API.
(() => {
  const $ = (id) => document.getElementById(id);
  const ledNames = { off: "off", green: "green", red: "red", blue: "blue", amber: "amber" };
  let formatChosen = false;
  let plugged = true;
  let doorsKey = "";

  function render(state) {
    document.title = `${state.deviceName} · Gatehouse device simulator`;
    $("device-name").textContent = state.deviceName;

    const online = $("online");
    online.textContent = state.online ? "Online" : "Offline";
    online.className = "badge " + (state.online ? "badge-online" : "badge-offline");
    $("sync").textContent = `Sync version ${state.syncVersion}`;

    const led = ledNames[state.led] ?? "off";
    $("led").className = `led led-${led}`;
    $("led").setAttribute("aria-label", `LED ring: ${led}`);
    $("prompt").textContent = state.prompt || "Ready";

    const lock = $("lock");
    const door = state.doorName ? `${state.doorName}: ` : "";
    lock.textContent = door + (state.lock === "unlocked" ? "Unlocked" : "Locked");
    lock.className = "lock " + (state.lock === "unlocked" ? "lock-unlocked" : "lock-locked");

    if (!formatChosen) {
      // The reader's own format first: a Wiegand format, or CSN for a reader that reports serial numbers.
      if (state.wiegandFormat) {
        $("format").value = state.wiegandFormat;
        showFacility();
      } else if (state.syncVersion > 0) {
        document.querySelector('input[name="kind"][value="csn"]').checked = true;
        showKind();
      }
    }

    const key = state.doors.map((d) => d.id + d.name).join("|");
    if (key !== doorsKey) {
      doorsKey = key;
      const select = $("door");
      select.replaceChildren(...state.doors.map((d) => new Option(d.name, d.id)));
      $("door-field").hidden = state.doors.length < 2;
    }

    plugged = state.networkConnected;
    const network = $("network");
    network.textContent = plugged ? "Unplug network" : "Plug network back in";
    network.setAttribute("aria-pressed", String(!plugged));

    const waiting = state.queuedEvents === 1 ? "1 event" : `${state.queuedEvents} events`;
    const dropped = state.droppedEvents > 0 ? `; ${state.droppedEvents} dropped because the queue was full` : "";
    $("queue").textContent = `${waiting} waiting for the server${dropped}`;
  }

  async function refresh() {
    try {
      const response = await fetch("/simulator/state", { cache: "no-store" });
      if (response.ok) {
        render(await response.json());
      }
    } catch {
      // The agent is restarting; the next poll catches up.
    }
  }

  async function poll() {
    await refresh();
    setTimeout(poll, 400);
  }

  function kind() {
    return document.querySelector('input[name="kind"]:checked').value;
  }

  function showKind() {
    $("wiegand-fields").hidden = kind() !== "wiegand";
    $("csn-fields").hidden = kind() !== "csn";
  }

  function showFacility() {
    $("facility-field").hidden = $("format").value === "H10302";
  }

  async function tap(event) {
    event.preventDefault();
    const body = {};
    if (kind() === "csn") {
      body.csn = $("csn").value.trim();
    } else {
      body.format = $("format").value;
      if (!$("facility-field").hidden) {
        body.facilityCode = $("facilityCode").value.trim();
      }
      body.cardNumber = $("cardNumber").value.trim();
    }
    if (!$("door-field").hidden) {
      body.doorId = $("door").value;
    }

    const result = $("tap-result");
    result.className = "result";
    result.textContent = "…";
    try {
      const response = await fetch("/simulator/card", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json();
      if (response.ok) {
        // A card captured for an enrollment was not an access attempt: the ring shows the enrollment's outcome.
        if (answer.outcome === "enrollment") {
          result.textContent = answer.reasonText;
          result.className = "result";
        } else {
          result.textContent = answer.granted ? "Granted" : `Denied — ${answer.reasonText}`;
          result.className = "result " + (answer.granted ? "result-granted" : "result-denied");
        }
        // The LED and the lock changed with the tap: show them now rather than at the next poll.
        await refresh();
      } else {
        const messages = Object.values(answer.errors ?? {}).flat();
        result.textContent = messages.join(" ") || answer.title || "The card was not read.";
        result.className = "result result-denied";
      }
    } catch {
      result.textContent = "The device did not answer.";
      result.className = "result result-denied";
    }
  }

  async function toggleNetwork() {
    await fetch("/simulator/network", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connected: !plugged }),
    });
  }

  document.querySelectorAll('input[name="kind"]').forEach((input) => input.addEventListener("change", () => {
    formatChosen = true;
    showKind();
  }));
  $("format").addEventListener("change", () => {
    formatChosen = true;
    showFacility();
  });
  // The camera: each frame goes to POST /simulator/face, as a real camera driver hands frames to the agent (a frame
  // with a phone's QR code is decided as that phone); the answer says whether it opened (or was taken for an
  // enrollment), and why not.
  let stream = null;
  let streaming = false;
  const faceWords = {
    enrollment: "taken for the enrollment", repeat: "the same person again", noFace: "no face",
    unknownCredential: "Access denied: not recognised", notLive: "not a live face", faceTooSmall: "come closer",
    poorExposure: "too dark or too bright", cameraUnavailable: "this device has no face models",
    tokenInvalid: "Access denied: code not valid", tokenExpired: "Access denied: code expired",
    tokenNotYetValid: "Access denied: code not valid yet", tokenReplayed: "Access denied: code already used",
  };

  async function present(blob) {
    const response = await fetch("/simulator/face", { method: "POST", headers: { "Content-Type": blob.type || "image/jpeg" }, body: blob });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      $("camera-result").textContent = body.detail || body.title || `The camera refused the frame (${response.status}).`;
      return;
    }
    const words = faceWords[body.reason] || body.reason;
    const score = typeof body.score === "number" ? ` (match ${(body.score * 100).toFixed(0)} %)` : "";
    $("camera-result").textContent = (body.granted ? "Granted" : words) + score;
  }

  function frame(video) {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  }

  async function streamFrames() {
    const video = $("camera-video");
    while (streaming) {
      if (video.videoWidth > 0) {
        const blob = await frame(video);
        if (blob) {
          await present(blob).catch(() => { $("camera-result").textContent = "The device did not answer."; });
        }
      }
      await new Promise((r) => setTimeout(r, 700));
    }
  }

  async function toggleCamera() {
    const button = $("camera-toggle");
    const video = $("camera-video");
    if (streaming) {
      streaming = false;
      stream?.getTracks().forEach((t) => t.stop());
      stream = null;
      video.hidden = true;
      button.textContent = "Start webcam";
      button.setAttribute("aria-pressed", "false");
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: false });
    } catch {
      $("camera-result").textContent = "No webcam could be opened; show a photo instead.";
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    streaming = true;
    button.textContent = "Stop webcam";
    button.setAttribute("aria-pressed", "true");
    streamFrames();
  }

  $("camera-toggle").addEventListener("click", toggleCamera);
  $("camera-photo").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) {
      await present(file).catch(() => { $("camera-result").textContent = "The device did not answer."; });
      event.target.value = "";
    }
  });
  $("tap").addEventListener("submit", tap);
  $("network").addEventListener("click", toggleNetwork);
  showKind();
  showFacility();
  poll();
})();
