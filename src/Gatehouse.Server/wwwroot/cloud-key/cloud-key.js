// The page of a Cloud Key's link: built only on the two public endpoints, so a kiosk or a partner app
// can do the same. Opening the page reads; only the Unlock button, with the PIN, changes anything.
(() => {
    "use strict";

    const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
    const api = `/api/v1/public/cloud-keys/${encodeURIComponent(token)}`;
    const $ = (selector, root = document) => root.querySelector(selector);
    let rememberedPin = "";
    let oneTimeUse = false;

    const statusText = {
        notYetValid: "This Cloud Key is not valid yet.",
        expired: "This Cloud Key has expired.",
        suspended: "This Cloud Key is suspended.",
        used: "This one-time Cloud Key has been used.",
        locked: "This Cloud Key is locked after too many wrong PINs. Ask your administrator to unlock it.",
        revoked: "This Cloud Key has been revoked.",
    };

    // As the key's message writes times: "Mon 9 Mar 2026, 18:00 (Europe/London)", 24-hour, in the site's zone.
    function formatAt(iso, timeZone) {
        const options = { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
        let zone = timeZone || "UTC";
        let parts;
        try {
            parts = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone }).formatToParts(new Date(iso));
        } catch {
            zone = "UTC";
            parts = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone }).formatToParts(new Date(iso));
        }

        const part = (type) => parts.find((p) => p.type === type)?.value ?? "";
        const name = zone === "UTC" || zone === "Etc/UTC" ? "UTC" : zone.replaceAll("_", " ");
        return `${part("weekday")} ${part("day")} ${part("month")} ${part("year")}, ${part("hour")}:${part("minute")} (${name})`;
    }

    function banner(text, bad) {
        const element = $("[data-banner]");
        element.textContent = text;
        element.classList.toggle("is-bad", !!bad);
        element.classList.toggle("is-hidden", !text);
    }

    function whenText(door) {
        if (door.openNow) {
            return "Open for you now";
        }

        return door.nextOpenAt ? `Opens for you ${formatAt(door.nextOpenAt, door.timeZone)}` : "Not open for you in the coming week";
    }

    async function load() {
        let response;
        try {
            response = await fetch(api, { headers: { Accept: "application/json" }, credentials: "omit", cache: "no-store" });
        } catch {
            $("[data-greeting]").textContent = "Cloud Key";
            banner("The server could not be reached. Check your connection and reload the page.", true);
            return;
        }

        if (response.status === 404) {
            $("[data-greeting]").textContent = "Cloud Key not found";
            banner("This link does not open any Cloud Key. It may have been replaced by a newer one: check your latest message.", true);
            return;
        }

        if (!response.ok) {
            $("[data-greeting]").textContent = "Cloud Key";
            banner(response.status === 429 ? "Too many requests. Wait a minute and reload the page." : "Something went wrong. Reload the page.", true);
            return;
        }

        render(await response.json());
    }

    function render(key) {
        document.title = `Cloud Key · ${key.organizationName}`;
        oneTimeUse = key.oneTimeUse;
        $("[data-organization]").textContent = key.organizationName;
        $("[data-greeting]").textContent = `Hello ${key.firstName}`;
        const until = key.validUntil ? formatAt(key.validUntil, key.timeZone) : null;
        const from = key.validFrom ? formatAt(key.validFrom, key.timeZone) : null;
        $("[data-validity]").textContent = [
            from && key.status === "notYetValid" ? `Valid from ${from}` : null,
            until ? `Valid until ${until}` : null,
            key.oneTimeUse ? "Opens a door once only" : null,
        ].filter(Boolean).join(" · ");
        banner(statusText[key.status] || "", key.status !== "notYetValid");

        const list = $("[data-doors]");
        list.replaceChildren();
        if (key.doors.length === 0) {
            banner("No door is open to you with this key. Ask your administrator for access.", true);
        }

        const usable = key.status === "active" || key.status === "notYetValid";
        for (const door of key.doors) {
            list.append(doorItem(door, usable));
        }
    }

    function doorItem(door, usable) {
        const item = $("[data-door-template]").content.firstElementChild.cloneNode(true);
        const id = `door-${door.id}`;
        $("[data-name]", item).textContent = door.name;
        $("[data-site]", item).textContent = door.siteName;
        const when = $("[data-when]", item);
        when.textContent = whenText(door);
        when.classList.toggle("is-open", door.openNow);

        const unlock = $("[data-unlock]", item);
        unlock.setAttribute("aria-label", `Unlock ${door.name}`);
        unlock.disabled = !usable;
        const form = $("[data-pin-form]", item);
        const pin = $("[data-pin]", item);
        pin.id = `${id}-pin`;
        $("[data-pin-label]", item).htmlFor = pin.id;
        $("[data-pin-label]", item).textContent = `PIN for ${door.name}`;
        const confirm = $("[data-confirm]", item);
        const result = $("[data-result]", item);

        unlock.addEventListener("click", () => {
            form.classList.remove("is-hidden");
            unlock.classList.add("is-hidden");
            result.classList.add("is-hidden");
            pin.value = rememberedPin;
            pin.focus();
        });

        $("[data-cancel]", item).addEventListener("click", () => {
            form.classList.add("is-hidden");
            unlock.classList.remove("is-hidden");
        });

        form.addEventListener("submit", async (event) => {
            event.preventDefault();
            const value = pin.value.trim();
            if (!/^[0-9]{6}$/.test(value)) {
                show(result, "Type the 6 digits of the PIN in your message.", false);
                pin.focus();
                return;
            }

            confirm.disabled = true;
            confirm.textContent = "Unlocking…";
            try {
                const answer = await send(door.id, value);
                if (answer.unlocked) {
                    rememberedPin = value;
                    show(result, `Door unlocked: ${door.name}`, true);
                    form.classList.add("is-hidden");
                    unlock.classList.remove("is-hidden");
                    if (oneTimeUse) {
                        end("used");
                    }
                } else {
                    show(result, answer.message, false);
                    if (answer.final) {
                        form.classList.add("is-hidden");
                        unlock.classList.remove("is-hidden");
                        end(answer.reason);
                    } else {
                        pin.select();
                    }
                }
            } finally {
                confirm.disabled = false;
                confirm.textContent = "Unlock";
            }
        });

        return item;
    }

    async function send(doorId, pin) {
        let response;
        try {
            response = await fetch(`${api}/unlock`, {
                method: "POST",
                headers: { "Content-Type": "application/json", Accept: "application/json" },
                credentials: "omit",
                cache: "no-store",
                body: JSON.stringify({ doorId, pin }),
            });
        } catch {
            return { unlocked: false, message: "The server could not be reached. Check your connection and try again." };
        }

        if (response.ok) {
            return { unlocked: true };
        }

        if (response.status === 429) {
            return { unlocked: false, message: "Too many attempts. Wait a minute and try again." };
        }

        const problem = await response.json().catch(() => ({}));
        const final = response.status === 423 || ["revoked", "used", "expired", "suspended", "locked"].includes(problem.reason);
        return {
            unlocked: false,
            final,
            reason: response.status === 423 ? "locked" : problem.reason,
            message: problem.detail || problem.title || "The door was not unlocked.",
        };
    }

    // The key can open nothing more: say why, and take the buttons away.
    function end(status) {
        banner(statusText[status] || "This Cloud Key no longer opens doors.", true);
        for (const button of document.querySelectorAll("[data-unlock]")) {
            button.disabled = true;
        }
    }

    function show(element, text, ok) {
        element.textContent = text;
        element.classList.toggle("is-ok", ok);
        element.classList.toggle("is-bad", !ok);
        element.classList.remove("is-hidden");
    }

    load();
})();
