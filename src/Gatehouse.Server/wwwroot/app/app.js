// The Gatehouse phone app. Built only on the public mobile endpoints and the formats in the contract, so any
// other client can do the same. The phone's private key is made here, cannot be exported, and never leaves
// this browser's storage: the server sees only the public key and signatures.
const $ = (selector, root = document) => root.querySelector(selector);
const api = "/api/v1/public/mobile";
const tokenLifetimeSeconds = 30;
const tokenRefreshMilliseconds = 5000;
const noNetwork = "No network. Show your code to the door instead.";

// ---------- Storage: one credential per phone, its key pair kept as CryptoKey objects in IndexedDB ----------

const store = {
    open() {
        return new Promise((resolve, reject) => {
            const request = indexedDB.open("gatehouse", 1);
            request.onupgradeneeded = () => request.result.createObjectStore("credential");
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
        });
    },
    async run(mode, action) {
        const db = await store.open();
        try {
            return await new Promise((resolve, reject) => {
                const transaction = db.transaction("credential", mode);
                const request = action(transaction.objectStore("credential"));
                transaction.oncomplete = () => resolve(request.result);
                transaction.onerror = () => reject(transaction.error);
            });
        } finally {
            db.close();
        }
    },
    get: () => store.run("readonly", (s) => s.get("current")),
    put: (credential) => store.run("readwrite", (s) => s.put(credential, "current")),
    forget: () => store.run("readwrite", (s) => s.delete("current")),
};

// ---------- Bytes and signatures ----------

function base64Url(bytes) {
    let text = "";
    for (const byte of new Uint8Array(bytes)) {
        text += String.fromCharCode(byte);
    }

    return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const utf8 = (text) => new TextEncoder().encode(text);

// ECDSA P-256 / SHA-256; WebCrypto's signature is already IEEE P1363 (r ‖ s, 64 bytes), as the contract wants.
async function sign(privateKey, text) {
    return base64Url(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, utf8(text)));
}

// The door token: a compact JWS (ES256) the door checks against the key it synced, with no network.
export async function doorToken(credential, now = Date.now()) {
    const iat = Math.floor(now / 1000);
    const header = { alg: "ES256", typ: "gatehouse-door+jwt", kid: credential.credentialId };
    const claims = {
        sub: credential.credentialId,
        aud: credential.organizationId,
        iat,
        exp: iat + tokenLifetimeSeconds,
        jti: base64Url(crypto.getRandomValues(new Uint8Array(16))),
    };
    const input = `${base64Url(utf8(JSON.stringify(header)))}.${base64Url(utf8(JSON.stringify(claims)))}`;
    return `${input}.${await sign(credential.keys.privateKey, input)}`;
}

// ---------- The server ----------

class Answer {
    constructor(status, body) {
        this.status = status;
        this.body = body ?? {};
    }

    get ok() {
        return this.status >= 200 && this.status < 300;
    }
}

class Offline extends Error {}

async function post(path, body) {
    let response;
    try {
        response = await fetch(path, {
            method: "POST",
            headers: { "Content-Type": "application/json", Accept: "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: "omit",
            cache: "no-store",
        });
    } catch {
        throw new Offline();
    }

    let json = null;
    try {
        json = await response.json();
    } catch {
        // An answer without a body (or not JSON) is described by its status alone.
    }

    return new Answer(response.status, json);
}

// A fresh single-use challenge, signed for one purpose: "doors", or "unlock" with the door.
async function proof(credential, purpose, doorId) {
    const challenge = await post(`${api}/${encodeURIComponent(credential.credentialId)}/challenge`);
    if (!challenge.ok) {
        return { refused: challenge };
    }

    const message = ["gatehouse", purpose, credential.credentialId, challenge.body.challenge, ...(doorId ? [doorId] : [])].join(":");
    return { challenge: challenge.body.challenge, signature: await sign(credential.keys.privateKey, message) };
}

// ---------- Words ----------

const reasonText = {
    unknownCredential: "This phone's key is not known any more. Ask your administrator for a new link.",
    credentialSuspended: "Your phone key is suspended. Ask your administrator.",
    credentialExpired: "Your phone key has expired. Ask your administrator.",
    credentialNotYetValid: "Your phone key is not valid yet.",
    credentialRevoked: "Your phone key has been revoked. Ask your administrator.",
    userSuspended: "Your access is suspended. Ask your administrator.",
    userExpired: "Your access has ended. Ask your administrator.",
    userNotYetValid: "Your access has not started yet.",
    noAccessToDoor: "You have no access to this door.",
    outsideSchedule: "This door is not open for you at this time.",
    holiday: "This door is closed for you today (holiday).",
    tokenInvalid: "The phone's signature was not accepted. Try again; if it keeps failing, ask your administrator for a new link.",
    tokenExpired: "That took too long. Try again.",
    tokenReplayed: "That request was used already. Try again.",
    deviceUnavailable: "The door's device is offline. Show your code to the door instead.",
};

function problemText(answer, fallback) {
    if (answer.status === 429) {
        return "Too many tries. Wait a minute and try again.";
    }

    return answer.body.detail || reasonText[answer.body.reason] || fallback;
}

function activationError(answer) {
    const reason = String(answer.body.reason ?? "");
    if (answer.status === 410) {
        return /expire/i.test(reason)
            ? "This link has expired. Ask your administrator to send a new one."
            : "This link has been used already. Ask your administrator to send a new one.";
    }

    if (answer.status === 404) {
        return "This link is not known. Check that you opened the whole link, or ask your administrator to send a new one.";
    }

    return problemText(answer, "This phone could not be activated. Try again in a moment.");
}

// "Pixel 8", "iPhone", "Samsung SM-S911B"… A guess the person can change.
async function guessDeviceName() {
    const agent = navigator.userAgent;
    if (/iPhone/.test(agent)) return "iPhone";
    if (/iPad/.test(agent) || (/Macintosh/.test(agent) && navigator.maxTouchPoints > 1)) return "iPad";
    if (/Android/.test(agent)) {
        try {
            const model = (await navigator.userAgentData?.getHighEntropyValues(["model"]))?.model;
            if (model) return model;
        } catch {
            // The browser keeps the model to itself: read the user agent.
        }

        const model = /Android [^;)]*;\s*([^;)]+?)(?:\s+Build\/[^;)]*)?\)/.exec(agent)?.[1];
        return model && model !== "K" ? model : "Android phone";
    }

    if (/Windows/.test(agent)) return "Windows computer";
    if (/Macintosh/.test(agent)) return "Mac";
    if (/CrOS/.test(agent)) return "Chromebook";
    if (/Linux/.test(agent)) return "Linux computer";
    return "My phone";
}

function formatNextOpen(iso) {
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) {
        return "";
    }

    return new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(at);
}

// ---------- Views ----------

let credential = null;
let qrTimer = 0;
let wakeLock = null;

function show(name) {
    for (const view of document.querySelectorAll("[data-view]")) {
        view.hidden = view.dataset.view !== name;
    }

    document.body.classList.toggle("is-showing-code", name === "qr");
    document.body.dataset.state = name;
}

function message(element, text, kind) {
    element.textContent = text;
    element.classList.toggle("is-hidden", !text);
    element.classList.toggle("is-ok", kind === "ok");
    element.classList.toggle("is-bad", kind === "bad");
}

let activationCode = "";

const installedApp = () => navigator.standalone === true || matchMedia("(display-mode: standalone)").matches;
const appleMobile = () => /iPhone|iPad/.test(navigator.userAgent) || (/Macintosh/.test(navigator.userAgent) && navigator.maxTouchPoints > 1);

async function startActivation(code) {
    activationCode = code;
    $("[data-activate-error]").hidden = true;
    $("[data-ios-hint]").hidden = !(appleMobile() && !installedApp());
    show("activate");
    $("[data-device-name]").value = await guessDeviceName();
}

async function activate(event) {
    event.preventDefault();
    const error = $("[data-activate-error]");
    const button = $("[data-activate]");
    const input = $("[data-device-name]");
    const deviceName = input.value.trim();
    if (!deviceName) {
        error.textContent = "Give this phone a name.";
        error.hidden = false;
        input.focus();
        return;
    }

    button.disabled = true;
    error.hidden = true;
    try {
        const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
        const jwk = await crypto.subtle.exportKey("jwk", keys.publicKey);
        const publicKey = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
        const answer = await post(`${api}/activate`, { code: activationCode, publicKey, deviceName });
        if (!answer.ok) {
            error.textContent = activationError(answer);
            error.hidden = false;
            if (answer.status === 404 || answer.status === 410) {
                history.replaceState(null, "", "/app/");
            }

            return;
        }

        const b = answer.body;
        credential = {
            credentialId: b.credentialId,
            organizationId: b.organizationId ?? null,
            organizationName: b.organizationName ?? "",
            firstName: b.firstName ?? "",
            deviceName,
            keys,
        };
        await store.put(credential);
        activationCode = "";
        history.replaceState(null, "", "/app/");
        await openHome();
    } catch (e) {
        error.textContent = e instanceof Offline
            ? "No network. Connect this phone to the internet and try again."
            : "This phone could not make or keep its key. Try another browser, or ask your administrator.";
        error.hidden = false;
    } finally {
        button.disabled = false;
    }
}

// A pasted activation link (or its code alone): what a Home Screen app on iOS needs, as links open in Safari.
function activateFromLink(event) {
    event.preventDefault();
    const text = $("[data-link]").value.trim();
    const error = $("[data-link-error]");
    let code = text;
    if (text.includes("://")) {
        try {
            code = decodeURIComponent(new URL(text).hash.slice(1));
        } catch {
            code = "";
        }
    }

    if (!code) {
        error.textContent = "Paste the whole activation link from your welcome message: it ends with # and a code.";
        error.hidden = false;
        return;
    }

    error.hidden = true;
    $("[data-link]").value = "";
    startActivation(code);
}

async function openHome() {
    show("home");
    for (const element of document.querySelectorAll("[data-organization]")) {
        element.textContent = credential.organizationName;
    }

    $("[data-greeting]").textContent = credential.firstName ? `Hello ${credential.firstName}` : "Hello";
    await loadDoors();
}

async function loadDoors() {
    const status = $("[data-home-message]");
    const list = $("[data-doors]");
    message(status, "", null);
    let doors;
    try {
        const signed = await proof(credential, "doors");
        const answer = signed.refused ?? await post(`${api}/${encodeURIComponent(credential.credentialId)}/doors`, signed);
        if (!answer.ok) {
            if (answer.status === 404) {
                show("gone");
                return;
            }

            message(status, problemText(answer, "Your doors could not be loaded. Try again in a moment."), "bad");
            return;
        }

        doors = answer.body.doors ?? [];
    } catch (e) {
        message(status, e instanceof Offline ? noNetwork : "Your doors could not be loaded. Try again in a moment.", "bad");
        return;
    }

    const ordered = [...doors].sort((a, b) => (b.openNow === true) - (a.openNow === true)
        || String(a.siteName ?? "").localeCompare(String(b.siteName ?? "")) || String(a.name).localeCompare(String(b.name)));
    list.replaceChildren(...ordered.map(doorItem));
    $("[data-doors-empty]").hidden = ordered.length > 0;
}

function doorItem(door) {
    const item = $("[data-door-template]").content.firstElementChild.cloneNode(true);
    item.dataset.doorId = door.id;
    $("[data-name]", item).textContent = door.name;
    $("[data-site]", item).textContent = door.siteName ?? "";
    const when = $("[data-when]", item);
    const unlock = $("[data-unlock]", item);
    unlock.setAttribute("aria-label", `Unlock ${door.name}`);
    if (door.openNow) {
        when.textContent = "Open for you now";
        when.classList.add("is-open");
    } else {
        const next = door.nextOpenAt ? formatNextOpen(door.nextOpenAt) : "";
        when.textContent = next ? `Opens for you ${next}` : "Not open for you in the coming week";
        unlock.hidden = true;
    }

    unlock.addEventListener("click", () => unlockDoor(door, unlock, $("[data-result]", item)));
    return item;
}

async function unlockDoor(door, button, result) {
    button.disabled = true;
    message(result, "Unlocking…", null);
    try {
        const signed = await proof(credential, "unlock", door.id);
        const answer = signed.refused
            ?? await post(`${api}/${encodeURIComponent(credential.credentialId)}/unlock`, { doorId: door.id, ...signed });
        if (answer.ok && answer.body.unlocked) {
            message(result, "Door unlocked", "ok");
        } else if (answer.status === 404 && signed.refused) {
            show("gone");
        } else {
            message(result, problemText(answer, "The door was not unlocked. Try again in a moment."), "bad");
        }
    } catch (e) {
        message(result, e instanceof Offline ? noNetwork : "The door was not unlocked. Try again in a moment.", "bad");
    } finally {
        button.disabled = false;
    }
}

// ---------- Show to the door ----------

let encoder;
async function loadEncoder() {
    encoder ??= import("/app/vendor/qrcode.mjs").then((m) => m.qrcode, () => null);
    return encoder;
}

function drawCode(canvas, qrcode, text) {
    const code = qrcode(0, "M");
    code.addData(text);
    code.make();
    const modules = code.getModuleCount();
    const quiet = 4;
    const cell = Math.max(4, Math.floor(1024 / (modules + quiet * 2)));
    const size = (modules + quiet * 2) * cell;
    canvas.width = canvas.height = size;
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, size, size);
    context.fillStyle = "#000";
    for (let row = 0; row < modules; row += 1) {
        for (let column = 0; column < modules; column += 1) {
            if (code.isDark(row, column)) {
                context.fillRect((column + quiet) * cell, (row + quiet) * cell, cell, cell);
            }
        }
    }
}

async function keepScreenOn() {
    try {
        wakeLock = await navigator.wakeLock?.request("screen") ?? null;
    } catch {
        wakeLock = null; // Refused (battery saver, no permission): the code still shows.
    }
}

async function showCode() {
    const canvas = $("[data-qr]");
    const caption = $("[data-qr-caption]");
    show("qr");
    const qrcode = await loadEncoder();
    if (!qrcode || !credential.organizationId) {
        canvas.hidden = true;
        caption.textContent = "The door code is unavailable in this copy of the app. Use Unlock in the list of doors instead.";
        return;
    }

    canvas.hidden = false;
    const draw = async () => {
        const token = await doorToken(credential);
        drawCode(canvas, qrcode, token);
    };
    await draw();
    clearInterval(qrTimer);
    qrTimer = setInterval(draw, tokenRefreshMilliseconds);
    await keepScreenOn();
}

function hideCode() {
    clearInterval(qrTimer);
    qrTimer = 0;
    wakeLock?.release().catch(() => undefined);
    wakeLock = null;
    show("home");
}

document.addEventListener("visibilitychange", () => {
    // A wake lock ends when the app is hidden; take it again when the code is back on screen.
    if (document.visibilityState === "visible" && qrTimer) {
        keepScreenOn();
    }
});

// ---------- Start ----------

async function start() {
    if ("serviceWorker" in navigator) {
        navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => undefined);
    }

    $("[data-activate-form]").addEventListener("submit", activate);
    $("[data-link-form]").addEventListener("submit", activateFromLink);
    $("[data-copy-link]").addEventListener("click", (event) => {
        navigator.clipboard?.writeText(location.href).then(() => { event.target.textContent = "Link copied"; }, () => undefined);
    });
    $("[data-show-qr]").addEventListener("click", showCode);
    $("[data-hide-qr]").addEventListener("click", hideCode);
    $("[data-refresh]").addEventListener("click", loadDoors);
    $("[data-forget]").addEventListener("click", async () => {
        await store.forget();
        credential = null;
        show("no-key");
    });

    // The activation code is after "#", so it never reaches a server in an address.
    const code = location.pathname.replace(/\/+$/, "").endsWith("/activate") ? decodeURIComponent(location.hash.slice(1)) : "";
    if (code) {
        await startActivation(code);
        return;
    }

    try {
        credential = (await store.get()) ?? null;
    } catch {
        credential = null;
    }

    if (!credential?.keys?.privateKey) {
        show("no-key");
        return;
    }

    await openHome();
}

start();
