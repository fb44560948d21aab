// The supplier page: send a file (or pasted content) to POST /validate, show the report grouped
// by rule, and offer it for download as JSON or JUnit XML (asked from the server again).

import { config, t, el, apiUrl, facts, formatNumber, showError } from "./common.js";

const form = document.getElementById("validate-form");
const pilotSelect = document.getElementById("pilot");
const formatSelect = document.getElementById("format");
const fileInput = document.getElementById("file");
const paste = document.getElementById("paste");
const filenameInput = document.getElementById("filename");
const status = document.getElementById("validate-status");
const alertBox = document.getElementById("validate-error");
const report = document.getElementById("report");
const reportBody = document.getElementById("report-body");
let lastRequest = null;
let lastReport = null;

function fillFormats() {
  const pilot = config.pilots.find((p) => p.id === pilotSelect.value);
  formatSelect.replaceChildren(
    el("option", { value: "" }, t("supplier.format.auto")),
    ...(pilot ? pilot.formats : []).map((format) => el("option", { value: format }, format)),
  );
}

/** What to send: the chosen file as multipart, else the pasted text as the raw body. */
function buildRequest() {
  const params = { pilot: pilotSelect.value, format: formatSelect.value };
  const file = fileInput.files[0];
  if (file) {
    return { params, body: () => { const data = new FormData(); data.append("file", file); return data; } };
  }
  if (paste.value.trim()) {
    params.filename = filenameInput.value.trim() || "pasted.txt";
    return { params, body: () => new Blob([paste.value], { type: "application/octet-stream" }) };
  }
  return null;
}

async function post(request, f) {
  const response = await fetch(apiUrl("/validate", { ...request.params, f }), { method: "POST", body: request.body() });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch { /* keep the status text */ }
    throw Object.assign(new Error(detail), { detail });
  }
  return response;
}

function ruleSection(rule) {
  const terms = (rule.terms || []).map((term) => `${term.label} (${term.id})`).join(", ");
  return el("section", { class: "rule card", "data-rule": rule.rule, "aria-labelledby": `rule-${rule.rule}` },
    el("h3", { id: `rule-${rule.rule}` }, el("code", {}, rule.rule)),
    el("p", {}, rule.meaning || ""),
    el("p", {}, el("strong", {}, formatNumber(rule.records)), ` ${t("supplier.breaks")}`),
    terms ? el("p", {}, `${t("supplier.terms")}: ${terms}`) : null,
    el("div", { class: "table-scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, ["supplier.position", "supplier.term", "supplier.message", "supplier.found", "supplier.expected"]
        .map((key) => el("th", { scope: "col" }, t(key))))),
      el("tbody", {}, (rule.examples || []).map((problem) => el("tr", {},
        el("td", {}, String(problem.position ?? "—")),
        el("td", {}, problem.term || "—"),
        el("td", {}, problem.message || ""),
        el("td", {}, problem.found === null || problem.found === undefined ? "—" : String(problem.found)),
        el("td", {}, problem.expected || "—")))))));
}

function showReport(body) {
  const valid = body.invalid === 0;
  reportBody.replaceChildren(
    el("p", { class: valid ? "verdict ok" : "verdict bad", id: "verdict" }, t(valid ? "supplier.verdict.ok" : "supplier.verdict.bad")),
    facts([
      [t("supplier.records"), formatNumber(body.records)],
      [t("supplier.valid"), formatNumber(body.valid)],
      [t("supplier.invalid"), formatNumber(body.invalid)],
      [t("supplier.format"), body.format],
    ]),
    ...(body.rules || []).map(ruleSection),
  );
  report.hidden = false;
  document.getElementById("report-title").focus();
}

function download(blob, name) {
  const link = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

const baseName = () => (lastReport?.file || "report").replace(/\.[^.]+$/, "");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  alertBox.replaceChildren();
  const request = buildRequest();
  if (!request) {
    showError(alertBox, new Error(t("supplier.nothing")));
    return;
  }
  status.textContent = t("supplier.working");
  try {
    const response = await post(request, "json");
    lastRequest = request;
    lastReport = await response.json();
    showReport(lastReport);
    status.textContent = "";
  } catch (error) {
    status.textContent = "";
    showError(alertBox, error);
  }
});
pilotSelect.addEventListener("change", fillFormats);
document.getElementById("download-json").addEventListener("click", () => {
  if (lastReport) download(new Blob([JSON.stringify(lastReport, null, 2)], { type: "application/json" }), `${baseName()}-validation.json`);
});
document.getElementById("download-junit").addEventListener("click", async () => {
  if (!lastRequest) return;
  try {
    const response = await post(lastRequest, "junit");
    download(await response.blob(), `${baseName()}-validation.xml`);
  } catch (error) {
    showError(alertBox, error);
  }
});
fillFormats();
