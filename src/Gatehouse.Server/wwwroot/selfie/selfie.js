// The selfie enrollment page of an invitation's link (/s/{token}): built only on the two public endpoints.
// Opening the page reads (and marks the invitation opened); only a photo sent with consent changes anything.
(() => {
    "use strict";

    const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
    const api = `/api/v1/public/face-invitations/${encodeURIComponent(token)}`;
    const $ = (selector) => document.querySelector(selector);
    const failed = "We were unable to process the photo. Please try again.";
    let stream = null;
    let busy = false;
    let noticeVersion = null;

    // What a person can change, when the server gives a reason without a sentence of its own.
    const reasonText = {
        noFace: "No face was found. Hold the phone so your whole face is inside the oval.",
        multipleFaces: "More than one face was found. Make sure you are alone in the photo.",
        faceTooSmall: "Your face is too small in the photo. Move closer to the camera.",
        notFrontal: "Look straight into the camera, without turning or tilting your head.",
        blurry: "The photo is blurry. Hold the phone still, and wipe the camera's lens.",
        poorExposure: "The light is too dark or too bright. Find even light on your face.",
        eyesClosed: "Your eyes seem closed. Keep them open and look into the camera.",
        notLive: "The photo must be of you, taken now: not a photo of a photo or a screen.",
        unreadableImage: "The file is not a photo that can be read. Take a new photo, or choose a JPEG or PNG.",
        imageTooLarge: "The photo is too large. Take a new photo, or choose a smaller one.",
    };

    // The words for a link that no longer takes photos, by the invitation's status.
    const closedText = {
        completed: "Your face is already enrolled. You can close this page.",
        expired: "This link has expired. Ask your administrator for a new one.",
        revoked: "This link has been withdrawn. Ask your administrator for a new one.",
    };

    function banner(text, kind) {
        const element = $("[data-banner]");
        element.textContent = text;
        element.classList.toggle("is-bad", kind === "bad");
        element.classList.toggle("is-ok", kind === "ok");
        element.classList.toggle("is-hidden", !text);
    }

    function result(title, detail, ok) {
        const element = $("[data-result]");
        $("[data-result-title]").textContent = title;
        $("[data-result-detail]").textContent = detail || "";
        $("[data-result-detail]").classList.toggle("is-hidden", !detail);
        element.classList.toggle("is-ok", ok);
        element.classList.toggle("is-bad", !ok);
        element.classList.remove("is-hidden");
        element.scrollIntoView({ block: "nearest" });
    }

    function clearResult() {
        $("[data-result]").classList.add("is-hidden");
    }

    // The link takes no more photos: say why, and take the form away.
    function close(status, fallback) {
        stopCamera();
        $("[data-form]").classList.add("is-hidden");
        $("[data-intro]").classList.add("is-hidden");
        banner(closedText[status] || fallback || "This link no longer works. Ask your administrator for a new one.", status === "completed" ? "ok" : "bad");
    }

    async function load() {
        let response;
        try {
            response = await fetch(api, { headers: { Accept: "application/json" }, credentials: "omit", cache: "no-store" });
        } catch {
            $("[data-greeting]").textContent = "Face enrollment";
            banner("The server could not be reached. Check your connection and reload the page.", "bad");
            return;
        }

        if (response.status === 404) {
            $("[data-greeting]").textContent = "Invitation not found";
            banner("This link does not open any invitation. It may have been replaced by a newer one: check your latest message.", "bad");
            return;
        }

        if (response.status === 410) {
            const problem = await response.json().catch(() => ({}));
            $("[data-greeting]").textContent = "Face enrollment";
            close(problem.reason, problem.detail);
            return;
        }

        if (!response.ok) {
            $("[data-greeting]").textContent = "Face enrollment";
            banner(response.status === 429 ? "Too many requests. Wait a minute and reload the page." : "Something went wrong. Reload the page.", "bad");
            return;
        }

        render(await response.json());
    }

    function render(invitation) {
        document.title = `Enroll your face · ${invitation.organizationName}`;
        $("[data-organization]").textContent = invitation.organizationName;
        $("[data-greeting]").textContent = `Hello ${invitation.firstName}`;
        if (closedText[invitation.status]) {
            close(invitation.status);
            return;
        }

        const intro = $("[data-intro]");
        intro.textContent = `${invitation.organizationName} invites you to enroll your face, so that doors can recognise you. It takes a minute.`;
        intro.classList.remove("is-hidden");
        $("[data-notice]").textContent = invitation.notice || "";
        noticeVersion = invitation.noticeVersion;
        $("[data-form]").classList.remove("is-hidden");
        startCamera();
    }

    async function startCamera() {
        const off = $("[data-camera-off]");
        if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
            cameraUnavailable("This browser cannot open the camera here. Choose a photo instead.");
            return;
        }

        try {
            stream = await navigator.mediaDevices.getUserMedia({
                audio: false,
                video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 960 } },
            });
        } catch (error) {
            cameraUnavailable(error && error.name === "NotAllowedError"
                ? "The camera was not allowed. Allow it in your browser's settings, or choose a photo instead."
                : "The camera could not be opened. Choose a photo instead.");
            return;
        }

        const video = $("[data-video]");
        video.srcObject = stream;
        try {
            await video.play();
        } catch {
            // Autoplay of a muted video is allowed; a refusal still leaves the frames readable once they arrive.
        }

        off.classList.add("is-hidden");
        $("[data-take]").disabled = false;
    }

    function cameraUnavailable(text) {
        const off = $("[data-camera-off]");
        off.textContent = text;
        off.classList.remove("is-hidden");
        $("[data-camera]").classList.add("is-off");
        $("[data-take]").classList.add("is-hidden");
        $("[data-file]").closest(".file-button").classList.replace("button-secondary", "button-primary");
    }

    function stopCamera() {
        if (stream) {
            for (const track of stream.getTracks()) {
                track.stop();
            }

            stream = null;
        }
    }

    // The camera's current frame as a JPEG, as the camera sees it (the preview is only mirrored on screen).
    function capture() {
        const video = $("[data-video]");
        if (!video.videoWidth || !video.videoHeight) {
            return Promise.resolve(null);
        }

        const canvas = document.createElement("canvas");
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
        return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
    }

    function consented() {
        if ($("[data-consent]").checked) {
            return true;
        }

        result("Please tick the box to consent first.", "Your photo is sent only after you have read the notice and consented.", false);
        $("[data-consent]").focus();
        return false;
    }

    function showStill(blob) {
        const still = $("[data-still]");
        if (still.src) {
            URL.revokeObjectURL(still.src);
        }

        still.src = URL.createObjectURL(blob);
        still.classList.remove("is-hidden");
    }

    function hideStill() {
        $("[data-still]").classList.add("is-hidden");
    }

    async function send(photo, name) {
        if (busy) {
            return;
        }

        busy = true;
        const take = $("[data-take]");
        take.disabled = true;
        take.textContent = "Checking your photo…";
        clearResult();
        try {
            const outcome = await upload(photo, name);
            if (outcome.done) {
                stopCamera();
                $("[data-form]").classList.add("is-hidden");
                $("[data-intro]").classList.add("is-hidden");
                result("Done", "Your face is enrolled. You can close this page.", true);
            } else if (outcome.closed) {
                close(outcome.closed, outcome.detail);
            } else {
                hideStill();
                result(outcome.title, outcome.detail, false);
            }
        } finally {
            busy = false;
            take.disabled = !stream;
            take.textContent = "Take Photo";
        }
    }

    async function upload(photo, name) {
        const body = new FormData();
        body.append("photo", photo, name);
        body.append("consent", "true");
        if (noticeVersion !== null && noticeVersion !== undefined) {
            // The server refuses consent to a notice other than the one this page showed.
            body.append("noticeVersion", String(noticeVersion));
        }
        let response;
        try {
            response = await fetch(`${api}/photo`, { method: "POST", body, credentials: "omit", cache: "no-store" });
        } catch {
            return { title: "The server could not be reached.", detail: "Check your connection and try again." };
        }

        if (response.ok) {
            return { done: true };
        }

        const problem = await response.json().catch(() => ({}));
        switch (response.status) {
            case 422:
                return { title: failed, detail: problem.detail || reasonText[problem.reason] || "" };
            case 413:
                return { title: failed, detail: reasonText.imageTooLarge };
            case 429:
                return problem.reason
                    ? { title: "Too many photos were sent with this link.", detail: "Ask your administrator for a new link." }
                    : { title: "Too many tries in a short time.", detail: "Wait a minute and try again." };
            case 409:
                return { title: "The notice has changed since this page opened.", detail: "Reload the page to read it, then take the photo again." };
            case 410:
                return { closed: problem.reason || "gone", detail: problem.detail };
            case 404:
                return { closed: "gone", detail: "This link does not open any invitation any more. Check your latest message." };
            case 400:
                return { title: "Please tick the box to consent first.", detail: problem.detail || "" };
            default:
                return { title: failed, detail: "Something went wrong on our side." };
        }
    }

    $("[data-form]").addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!consented()) {
            return;
        }

        const photo = await capture();
        if (!photo) {
            result(failed, "The camera has not shown a picture yet. Wait a moment, or choose a photo instead.", false);
            return;
        }

        showStill(photo);
        await send(photo, "selfie.jpg");
    });

    $("[data-file]").addEventListener("change", async (event) => {
        const input = event.target;
        const file = input.files && input.files[0];
        input.value = "";
        if (!file || !consented()) {
            return;
        }

        await send(file, file.name || "photo.jpg");
    });

    $("[data-consent]").addEventListener("change", (event) => {
        if (event.target.checked) {
            clearResult();
        }
    });

    window.addEventListener("pagehide", stopCamera);
    load();
})();
