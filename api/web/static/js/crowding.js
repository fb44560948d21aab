// Crowding on the map: the level of every location per hour over the last days (from the
// crowding-rollups collection), the time slider that picks the hour, and a location's details:
// its hourly counts against its baseline, the same hour on the same weekday in earlier weeks.

import {
  config, t, el, badge, facts, fetchFeatures, formatHour, formatTime, formatNumber, showError,
} from "./common.js";
import { timeChart } from "./chart.js";

const HOUR = 3600_000;
const WEEK = 7 * 24 * HOUR;
const BASELINE_WEEKS = 8;
const ORDER = ["calm", "normal", "busy", "very-busy"];
const worse = (a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a);

/**
 * The hourly levels behind the slider. The slider ends at the newest hour with a level (the
 * present, when counters report live) and spans ``config.crowdingDays`` days before it.
 */
export function crowdingLevels(slider, onChange) {
  const output = document.getElementById("crowding-time-value");
  const state = { end: null, start: null, byLocation: new Map() };

  const hourAt = (index) => state.start + index * HOUR;
  const current = () => (state.start === null ? null : hourAt(Number(slider.value)));

  function announce() {
    const hour = current();
    if (hour === null) return;
    const text = formatTime(hour);
    output.textContent = text;
    slider.setAttribute("aria-valuetext", text);
  }

  slider.addEventListener("input", () => {
    announce();
    onChange();
  });

  return {
    current,
    get window() {
      return { start: state.start, end: state.end };
    },
    /** The worst level any of the location's counts reached in the slider's hour. */
    levelOf(locationId) {
      const hour = current();
      return hour === null ? null : state.byLocation.get(locationId)?.get(hour) ?? null;
    },
    async load() {
      // the newest hour that has a level: live counters without a baseline yet (the demo's
      // simulated lines) must not push the window past the hours that can be coloured
      const newest = await fetchFeatures("crowding-rollups", {
        interval_minutes: 60, sortby: "-start", limit: 1, skipGeometry: "true",
        filter: "level IS NOT NULL",
      }, 1);
      if (!newest.length) return;
      state.end = Date.parse(newest[0].properties.start);
      state.start = state.end - config.crowdingDays * 24 * HOUR;
      const rows = await fetchFeatures("crowding-rollups", {
        interval_minutes: 60,
        datetime: `${new Date(state.start).toISOString()}/${new Date(state.end).toISOString()}`,
        skipGeometry: "true", properties: "location_id,start,level",
      });
      for (const row of rows) {
        const { location_id: id, start, level } = row.properties;
        if (!level) continue;
        const hours = state.byLocation.get(id) ?? new Map();
        const time = Date.parse(start);
        hours.set(time, hours.has(time) ? worse(hours.get(time), level) : level);
        state.byLocation.set(id, hours);
      }
      slider.max = String(Math.round((state.end - state.start) / HOUR));
      slider.value = slider.max;
      slider.disabled = false;
      announce();
    },
  };
}

/** The series a location's chart shows: the dimension with the most counts in the window. */
function mainSeries(rows) {
  const groups = new Map();
  for (const row of rows) {
    const p = row.properties;
    const key = [p.characteristic, p.unit, p.statistic, p.modality, p.direction].join("|");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length)[0] || [];
}

/** The median of the values of the same hour in earlier weeks, where there are any. */
function baselineAt(byTime, time) {
  const past = [];
  for (let week = 1; week <= BASELINE_WEEKS; week += 1) {
    const value = byTime.get(time - week * WEEK);
    if (value !== undefined && value !== null) past.push(value);
  }
  if (!past.length) return null;
  past.sort((a, b) => a - b);
  const middle = Math.floor(past.length / 2);
  return past.length % 2 ? past[middle] : (past[middle - 1] + past[middle]) / 2;
}

export async function crowdingDetails(feature, levels, showDetails) {
  const p = feature.properties;
  const hour = levels.current();
  const level = levels.levelOf(feature.id) || "none";
  const container = el("div", { class: "chart-box" }, el("p", {}, t("map.loading")));
  showDetails(p.name || feature.id, facts([
    [t("detail.level"), el("span", {}, badge("crowding", level), hour ? ` ${formatTime(hour)}` : "")],
    [t("detail.rule"), p.hourly_level_rule],
    [t("detail.count"), `${formatNumber(p.value)} ${p.unit || ""} (${p.characteristic || "—"})`],
    [t("detail.observed"), formatTime(p.start)],
  ]), el("h4", {}, t("detail.chart.crowding")), container);
  const { start, end } = levels.window;
  if (start === null) {
    container.replaceChildren(el("p", {}, t("detail.nodata")));
    return;
  }
  try {
    const rows = await fetchFeatures("crowding-rollups", {
      location_id: feature.id, interval_minutes: 60,
      datetime: `${new Date(start - BASELINE_WEEKS * WEEK).toISOString()}/${new Date(end).toISOString()}`,
      skipGeometry: "true",
      properties: "start,value,level,level_rule,characteristic,unit,statistic,modality,direction",
    });
    const series = mainSeries(rows);
    const byTime = new Map(series.map((row) => [Date.parse(row.start), row.value]));
    const shown = series.filter((row) => Date.parse(row.start) >= start);
    if (!shown.length) {
      container.replaceChildren(el("p", {}, t("detail.nodata")));
      return;
    }
    const baseline = shown.map((row) => ({ time: Date.parse(row.start), value: baselineAt(byTime, Date.parse(row.start)) }));
    const hasBaseline = baseline.some((point) => point.value !== null);
    const values = shown.map((row) => row.value ?? 0);
    const chart = timeChart({
      start, end: end + HOUR, yMax: Math.max(...values),
      bars: shown.map((row) => ({
        time: Date.parse(row.start), value: row.value,
        className: `bar level-${row.level || "none"}`, dataset: { level: row.level || "none" },
      })),
      lines: [{ points: baseline, className: "baseline" }],
      title: `${t("detail.chart.crowding")}: ${p.name || feature.id}`,
      summary: `${shown[0].characteristic}: ${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))}`,
      formatTick: formatHour,
    });
    container.replaceChildren(chart, el("p", { class: "help" }, hasBaseline ? t("detail.baseline") : t("detail.baseline.none")));
  } catch (error) {
    showError(container, error);
  }
}
