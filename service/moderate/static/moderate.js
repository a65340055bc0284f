// The moderator's desk: keys, selection, decisions by fetch (session + CSRF), undo, fresh counts.
// No framework: the page is rendered by the server; this file only moves focus and asks for decisions.
"use strict";

(function () {
  const desk = document.querySelector(".desk[data-counts-url]");
  if (!desk) return;

  const COUNTS_EVERY_MS = 10000; // the tabs' counts stay fresh without a reload
  const queue = desk.dataset.queue; // held | reported | decided | single
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = csrfMeta ? csrfMeta.content : "";
  const base = desk.dataset.baseUrl.replace(/\/$/, ""); // /moderate
  const reasonDialog = document.getElementById("reason-dialog");
  const banDialog = document.getElementById("ban-dialog");
  const helpDialog = document.getElementById("help-dialog");
  const toast = desk.querySelector(".toast");
  const selectedCount = desk.querySelector(".selected-count");
  const countsNews = document.getElementById("counts-news");
  const undoStack = []; // {id, item, place}: the decisions `u` can take back, the last on top
  let current = null; // the article the keys act on

  // ---- talking to the server ----------------------------------------------------------

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
    if (response.redirected || response.status === 401) {
      window.location.reload(); // the session ended: the reload lands on the login page
      return { status: 401, data: {} };
    }
    let data = {};
    if ((response.headers.get("Content-Type") || "").includes("json")) data = await response.json();
    return { status: response.status, data: data };
  }

  function say(message) {
    toast.textContent = message;
  }

  async function refreshCounts() {
    try {
      const response = await fetch(desk.dataset.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok || response.redirected) return;
      const counts = await response.json();
      let changed = false;
      for (const [tab, n] of Object.entries(counts)) {
        const badge = desk.querySelector('[data-count="' + tab + '"]');
        if (badge && badge.textContent !== String(n)) {
          badge.textContent = String(n);
          changed = true;
        }
      }
      // Said once per change, politely, for a screen reader: the badges themselves are not a live region.
      if (changed && countsNews) {
        countsNews.textContent = Array.from(desk.querySelectorAll(".tabs a"))
          .filter((tab) => tab.querySelector(".count"))
          .map((tab) => tab.textContent.replace(/\s+/g, " ").trim())
          .join(", ");
      }
    } catch (_) {
      // offline for a moment: the next poll tries again
    }
  }

  // ---- items, focus, selection ------------------------------------------------------------

  function items() {
    return Array.from(desk.querySelectorAll("article.item"));
  }

  function focusItem(item) {
    for (const other of items()) other.removeAttribute("aria-current");
    current = item || null;
    if (!current) return;
    current.setAttribute("aria-current", "true");
    current.focus({ preventScroll: true });
    current.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = items();
    if (!all.length) return;
    const at = all.indexOf(current);
    const next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    focusItem(all[next]);
  }

  function selected() {
    return items().filter((item) => item.querySelector("input.select").checked);
  }

  function updateSelectedCount() {
    if (selectedCount) selectedCount.textContent = selected().length + " selected";
  }

  function toggleSelect(item) {
    const box = item.querySelector("input.select");
    box.checked = !box.checked;
    item.classList.toggle("is-selected", box.checked);
    updateSelectedCount();
  }

  function showOutcome(item, message, kind) {
    const line = item.querySelector(".outcome");
    line.textContent = message;
    line.dataset.kind = kind;
  }

  function setStatus(item, status) {
    item.dataset.status = status;
    const badge = item.querySelector(".item-head .status");
    badge.textContent = status;
    badge.className = "status status-" + status;
  }

  // A decided item leaves the held and reported lists (remembered, so `u` can put it back);
  // in the decided tab and on a comment's own page it stays and shows its new state.
  function settle(item, status, undoable = true) {
    setStatus(item, status);
    if (queue === "decided" || queue === "single") return;
    const all = items();
    const next = all[all.indexOf(item) + 1] || all[all.indexOf(item) - 1] || null;
    const row = item.closest("li");
    if (undoable) undoStack.push({ row: row, parent: row.parentNode, before: row.nextSibling, id: item.dataset.id });
    row.remove();
    if (current === item) focusItem(next);
    const empty = desk.querySelector(".empty");
    if (empty) empty.hidden = items().length > 0;
    updateSelectedCount();
  }

  function removeIds(ids) {
    for (const id of ids) {
      const item = document.getElementById("c-" + id);
      if (item) settle(item, "rejected", false); // a ban is lifted by unbanning, not by `u`
    }
  }

  // ---- dialogs ------------------------------------------------------------------------------

  // Opens a <dialog> holding a form with method="dialog"; resolves with its fields, or null when cancelled.
  function ask(dialog) {
    return new Promise((resolve) => {
      const form = dialog.querySelector("form");
      const done = () => {
        dialog.removeEventListener("close", done);
        resolve(dialog.returnValue === "confirm" ? new FormData(form) : null);
      };
      dialog.returnValue = "";
      dialog.addEventListener("close", done);
      dialog.showModal();
      const first = form.querySelector("select, input:checked, input");
      if (first) first.focus();
    });
  }

  // Enter in the reason picker confirms (a <select> does not submit its form by itself).
  reasonDialog.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName === "SELECT") {
      event.preventDefault();
      reasonDialog.close("confirm");
    }
  });

  // ---- actions --------------------------------------------------------------------------------

  const NEEDS_REASON = new Set(["reject", "take-down"]);

  async function decide(item, action) {
    if (action === "ban") return ban(item);
    if (action === "trust") return trust(item);
    let body = {};
    if (NEEDS_REASON.has(action)) {
      const fields = await ask(reasonDialog);
      if (!fields) return focusItem(item);
      body = { reason: fields.get("reason"), note: fields.get("note") || null };
    }
    const id = item.dataset.id;
    const { status, data } = await post(base + "/comments/" + encodeURIComponent(id) + "/" + action, body);
    if (status === 200) {
      showOutcome(item, data.message, "done");
      say(data.message + ". Press u to undo.");
      settle(item, data.status);
    } else if (status === 409) {
      setStatus(item, data.status);
      showOutcome(item, data.message, "conflict");
      say(data.message);
    } else {
      showOutcome(item, data.error || "Not found: it may belong to a site you do not moderate.", "error");
    }
    refreshCounts();
  }

  async function ban(item) {
    const button = item.querySelector('[data-action="ban"]');
    for (const kind of ["email", "ip", "name"]) {
      const value = button.dataset[kind];
      banDialog.querySelector(".ban-" + kind).textContent = value ? "(" + value + ")" : "(none given)";
      banDialog.querySelector('input[value="' + kind + '"]').disabled = !value;
    }
    // An author who gave no e-mail cannot be banned by it: start on the first way that is there.
    const choice = banDialog.querySelector('input[name="kind"]:checked');
    if (!choice || choice.disabled) {
      const first = banDialog.querySelector('input[name="kind"]:not(:disabled)');
      if (first) first.checked = true;
    }
    const fields = await ask(banDialog);
    if (!fields) return focusItem(item);
    const body = { kind: fields.get("kind"), reject_held: fields.get("reject_held") === "on" };
    const { status, data } = await post(base + "/comments/" + encodeURIComponent(item.dataset.id) + "/ban", body);
    if (status === 200) {
      say(data.message);
      showOutcome(item, data.message, "done");
      removeIds(data.rejected || []);
    } else {
      showOutcome(item, data.error || "Could not ban.", "error");
    }
    refreshCounts();
  }

  async function trust(item) {
    const { status, data } = await post(base + "/comments/" + encodeURIComponent(item.dataset.id) + "/trust");
    showOutcome(item, status === 200 ? data.message : data.error || "Could not trust.", status === 200 ? "done" : "error");
  }

  async function bulk(action) {
    const chosen = selected();
    if (!chosen.length) return say("Select comments first (x, or their boxes).");
    let body = { ids: chosen.map((item) => item.dataset.id), action: action };
    if (NEEDS_REASON.has(action)) {
      const fields = await ask(reasonDialog);
      if (!fields) return;
      body = Object.assign(body, { reason: fields.get("reason"), note: fields.get("note") || null });
    }
    const { status, data } = await post(base + "/bulk", body);
    if (status !== 200) return say(data.error || "Nothing was done.");
    let done = 0;
    for (const item of chosen) {
      const result = data.results[item.dataset.id] || { result: "not_found", message: "Not found" };
      item.querySelector("input.select").checked = false;
      item.classList.remove("is-selected");
      showOutcome(item, result.message, result.result === "decided" ? "done" : result.result);
      if (result.result === "decided") {
        done += 1;
        settle(item, result.status);
      } else if (result.result === "conflict") {
        setStatus(item, result.status);
      }
    }
    updateSelectedCount();
    say(done + " of " + chosen.length + " done.");
    refreshCounts();
  }

  async function undoLast() {
    const last = undoStack.pop();
    if (!last) return say("Nothing to undo.");
    const { status, data } = await post(base + "/comments/" + encodeURIComponent(last.id) + "/undo");
    if (status !== 200) return say(data.message || data.error || "Could not undo.");
    last.parent.insertBefore(last.row, last.before && last.before.parentNode === last.parent ? last.before : null);
    const item = last.row.querySelector("article.item");
    setStatus(item, data.status);
    showOutcome(item, "Undone: back to " + data.status + ".", "done");
    const empty = desk.querySelector(".empty");
    if (empty) empty.hidden = true;
    focusItem(item);
    say("Undone.");
    refreshCounts();
  }

  // ---- wiring -----------------------------------------------------------------------------

  desk.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action], button[data-bulk]");
    if (!button) return;
    if (button.dataset.bulk) return void bulk(button.dataset.bulk);
    const item = button.closest("article.item");
    focusItem(item);
    decide(item, button.dataset.action);
  });

  desk.addEventListener("change", (event) => {
    if (!event.target.matches("input.select")) return;
    event.target.closest("article.item").classList.toggle("is-selected", event.target.checked);
    updateSelectedCount();
  });

  desk.addEventListener("focusin", (event) => {
    const item = event.target.closest("article.item");
    if (item && item !== current) {
      for (const other of items()) other.removeAttribute("aria-current");
      current = item;
      item.setAttribute("aria-current", "true");
    }
  });

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable], dialog") !== null;
  }

  // The one visible button for a key on this item (which one depends on its status: see the CSS).
  function buttonFor(item, key) {
    return Array.from(item.querySelectorAll('button[data-key="' + key + '"]')).find((b) => b.offsetParent !== null);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const key = event.key;
    if (key === "?") {
      event.preventDefault();
      helpDialog.showModal();
      return;
    }
    if (key === "j" || key === "k") {
      event.preventDefault();
      move(key === "j" ? 1 : -1);
      return;
    }
    if (key === "u") {
      event.preventDefault();
      undoLast();
      return;
    }
    if (!current || !current.isConnected) return;
    if (key === "x") {
      event.preventDefault();
      toggleSelect(current);
    } else if (key === "a" || key === "r" || key === "s") {
      const button = buttonFor(current, key);
      if (!button) return;
      event.preventDefault();
      decide(current, button.dataset.action);
    }
  });

  const first = items()[0];
  if (first) focusItem(first);
  updateSelectedCount();
  window.setInterval(refreshCounts, COUNTS_EVERY_MS);
})();
