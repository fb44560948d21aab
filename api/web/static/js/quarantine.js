// The quarantine browser of one source. The quarantine holds suppliers' raw data, so the API
// asks for a key: the user pastes it, it is kept in this tab's sessionStorage only (gone when
// the tab closes, never in a cookie or URL) and sent as X-API-Key.

import { config, t, el, apiUrl, fetchJson, facts, formatTime, showError } from "./common.js";

const STORAGE_KEY = "stadspuls-api-key";
const form = document.getElementById("key-form");
const keyInput = document.getElementById("api-key");
const ruleInput = document.getElementById("rule");
const records = document.getElementById("quarantine-records");
const status = document.getElementById("quarantine-status");
const alertBox = document.getElementById("quarantine-error");
const more = document.getElementById("more");
let next = null;

function recordView(record) {
  const reasons = el("ul", { class: "reasons" }, (record.reasons || []).map((reason) => el("li", {},
    el("code", {}, reason.rule || ""), ` ${reason.term ? `(${reason.term}) ` : ""}${reason.message || ""}`)));
  const raw = typeof record.raw === "string" ? record.raw : JSON.stringify(record.raw, null, 2);
  return el("article", { class: "card", "data-record": record.id },
    facts([
      [t("quarantine.received"), formatTime(record.received_at)],
      [t("quarantine.origin"), `${record.origin || "—"}${record.position ? ` #${record.position}` : ""}`],
      [t("quarantine.reasons"), reasons],
    ]),
    el("details", {}, el("summary", {}, t("quarantine.raw")), el("pre", {}, raw ?? "—")));
}

async function loadPage(url, append) {
  alertBox.replaceChildren();
  try {
    const page = await fetchJson(url, { headers: { "X-API-Key": sessionStorage.getItem(STORAGE_KEY) || "" } });
    if (!append) records.replaceChildren();
    records.append(...page.records.map(recordView));
    status.textContent = `${t("quarantine.records")}: ${page.numberMatched}`;
    next = (page.links || []).find((link) => link.rel === "next")?.href || null;
    more.hidden = !next;
  } catch (error) {
    showError(alertBox, error);
    more.hidden = true;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(STORAGE_KEY, keyInput.value.trim());
  loadPage(apiUrl(`/sources/${encodeURIComponent(config.source)}/quarantine`, { rule: ruleInput.value.trim(), limit: 50 }), false);
});
document.getElementById("forget-key").addEventListener("click", () => {
  sessionStorage.removeItem(STORAGE_KEY);
  keyInput.value = "";
  records.replaceChildren();
  status.textContent = "";
});
more.addEventListener("click", () => next && loadPage(next, true));

const remembered = sessionStorage.getItem(STORAGE_KEY);
if (remembered) {
  keyInput.value = remembered;
  form.requestSubmit();
}
