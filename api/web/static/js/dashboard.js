// The city dashboard: the sources of a city with their health over the last 24 hours (last
// record, records per hour, quarantine rate, top reasons, hourly chart) and a link to each
// source's quarantine browser.

import {
  config, t, el, apiUrl, fetchJson, facts, formatHour, formatTime, formatNumber, showError,
} from "./common.js";
import { timeChart } from "./chart.js";

const HOUR = 3600_000;
const citySelect = document.getElementById("city");
const list = document.getElementById("sources");
const status = document.getElementById("dashboard-status");
const NO_CITY = "\u0000none";

function healthChart(source, health) {
  const end = Date.parse(health.window.end);
  const start = Date.parse(health.window.start);
  const hourly = health.hourly.map((row) => ({ ...row, time: Date.parse(row.hour) }));
  const bars = [
    ...hourly.map((row) => ({ time: row.time, value: row.records + row.quarantined, className: "bar quarantined" })),
    ...hourly.map((row) => ({ time: row.time, value: row.records, className: "bar records" })),
  ];
  return timeChart({
    start, end, bars,
    title: `${t("detail.chart.source")}: ${source.id}`,
    summary: `${formatNumber(health.records)} / ${formatNumber(health.quarantined)}`,
    formatTick: formatHour,
  });
}

function card(source, health) {
  const rate = health.quarantine_rate === null ? "—" : `${formatNumber(health.quarantine_rate * 100)} %`;
  const reasons = health.top_reasons.length
    ? el("ul", { class: "reasons" }, health.top_reasons.map((r) => el("li", {}, el("code", {}, r.rule), ` × ${formatNumber(r.count)}`)))
    : "—";
  const quarantine = new URL(`${config.api}/web/quarantine`, window.location.origin);
  quarantine.searchParams.set("source", source.id);
  quarantine.searchParams.set("lang", config.lang);
  return el("article", { class: "card", "data-source": source.id, "aria-labelledby": `source-${source.id}` },
    el("h3", { id: `source-${source.id}` }, source.id),
    facts([
      [t("dashboard.pilot"), source.pilot],
      [t("dashboard.format"), source.format],
      [t("dashboard.supplier"), source.supplier],
      [t("dashboard.city"), source.city || t("dashboard.city.none")],
      [t("dashboard.last"), health.last_record_at ? formatTime(health.last_record_at) : t("dashboard.never")],
      [t("dashboard.perhour"), formatNumber(health.records_per_hour)],
      [t("dashboard.rate"), rate],
      [t("dashboard.reasons"), reasons],
    ]),
    healthChart(source, health),
    el("p", {}, el("a", { href: quarantine.pathname + quarantine.search }, `${t("dashboard.quarantine")} (${source.id})`)));
}

async function render(sources) {
  const chosen = citySelect.value;
  const shown = sources.filter((s) => !chosen || (chosen === NO_CITY ? !s.city : s.city === chosen));
  if (!shown.length) {
    list.replaceChildren();
    status.textContent = t("dashboard.none");
    return;
  }
  status.textContent = t("map.loading");
  const cards = await Promise.all(shown.map(async (source) => {
    try {
      return card(source, await fetchJson(apiUrl(`/sources/${encodeURIComponent(source.id)}/health`, { hours: 24 })));
    } catch (error) {
      const box = el("article", { class: "card" }, el("h3", {}, source.id));
      showError(box, error);
      return box;
    }
  }));
  list.replaceChildren(...cards);
  status.textContent = `${shown.length} ${t("dashboard.sources").toLowerCase()}`;
}

async function start() {
  const { sources } = await fetchJson(apiUrl("/sources"));
  const cities = [...new Set(sources.map((s) => s.city).filter(Boolean))].sort();
  for (const city of cities) citySelect.append(el("option", { value: city }, city));
  if (sources.some((s) => !s.city)) citySelect.append(el("option", { value: NO_CITY }, t("dashboard.city.none")));
  const asked = new URLSearchParams(window.location.search).get("city");
  if (asked && cities.includes(asked)) citySelect.value = asked;
  citySelect.addEventListener("change", () => {
    const url = new URL(window.location.href);
    if (citySelect.value && citySelect.value !== NO_CITY) url.searchParams.set("city", citySelect.value);
    else url.searchParams.delete("city");
    window.history.replaceState(null, "", url);
    render(sources);
  });
  await render(sources);
  list.dataset.ready = "true";
}

start().catch((error) => showError(list, error));
