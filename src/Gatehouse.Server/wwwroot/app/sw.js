// The app's service worker: keeps the app's own files so an installed app opens with no network. It answers
// only for those files and the app's pages; everything else (the API above all) goes to the network untouched
// and is never stored. A cached file is served at once and refreshed in the background for the next start.
const CACHE = "gatehouse-app-v1";
const SHELL = [
    "/app/",
    "/app/app.js",
    "/app/app.css",
    "/app/manifest.webmanifest",
    "/app/icons/icon-192.png",
    "/app/icons/apple-touch-icon.png",
    "/css/public-page.css",
];
// Fetched when present: without it the app still opens and says its door code is unavailable.
const OPTIONAL = ["/app/vendor/qrcode.mjs"];

self.addEventListener("install", (event) => {
    event.waitUntil((async () => {
        const cache = await caches.open(CACHE);
        await cache.addAll(SHELL);
        await Promise.all(OPTIONAL.map((url) => cache.add(url).catch(() => undefined)));
        await self.skipWaiting();
    })());
});

self.addEventListener("activate", (event) => {
    event.waitUntil((async () => {
        for (const name of await caches.keys()) {
            if (name !== CACHE) {
                await caches.delete(name);
            }
        }

        await self.clients.claim();
    })());
});

self.addEventListener("fetch", (event) => {
    const request = event.request;
    const url = new URL(request.url);
    if (request.method !== "GET" || url.origin !== self.location.origin) {
        return;
    }

    // Every page of the app (/app/, /app/activate) is the same document.
    const key = request.mode === "navigate" && url.pathname.startsWith("/app/") ? "/app/" : url.pathname;
    if (!SHELL.includes(key) && !OPTIONAL.includes(key)) {
        return;
    }

    event.respondWith((async () => {
        const cache = await caches.open(CACHE);
        const cached = await cache.match(key);
        const fresh = fetch(key, { cache: "no-cache" }).then(async (response) => {
            if (response.ok) {
                await cache.put(key, response.clone());
            }

            return response;
        });
        if (cached) {
            event.waitUntil(fresh.catch(() => undefined));
            return cached;
        }

        return fresh;
    })());
});
