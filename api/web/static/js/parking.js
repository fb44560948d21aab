// A parking site's details: its latest state and a chart of its occupancy over the 24 hours up
// to its latest observation (read from parking-observations, the history collection).

import { t, el, badge, facts, fetchFeatures, formatHour, formatTime, formatNumber, showError } from "./common.js";
import { timeChart } from "./chart.js";
import { parkingCategory } from "./categories.js";

const DAY = 24 * 3600_000;

export async function parkingDetails(feature, showDetails) {
  const p = feature.properties;
  const container = el("div", { class: "chart-box", id: "parking-chart" }, el("p", {}, t("map.loading")));
  showDetails(p.name || feature.id, facts([
    [t("detail.state"), badge("parking", parkingCategory(p))],
    [t("detail.occupancy"), p.occupancy === null || p.occupancy === undefined ? "—" : `${formatNumber(p.occupancy)} %`],
    [t("detail.vacant"), formatNumber(p.vacant)],
    [t("detail.capacity"), formatNumber(p.capacity)],
    [t("detail.observed"), formatTime(p.observed_at)],
  ]), el("h4", {}, t("detail.chart.parking")), container);
  if (!p.observed_at) {
    container.replaceChildren(el("p", {}, t("detail.nodata")));
    return;
  }
  const end = Date.parse(p.observed_at);
  const start = end - DAY;
  try {
    const rows = await fetchFeatures("parking-observations", {
      site_id: feature.id, sortby: "observed_at", skipGeometry: "true",
      datetime: `${new Date(start).toISOString()}/${new Date(end).toISOString()}`,
      properties: "observed_at,occupancy",
    });
    const points = rows
      .map((row) => ({ time: Date.parse(row.properties.observed_at), value: row.properties.occupancy }))
      .filter((point) => point.value !== null && point.value !== undefined);
    if (!points.length) {
      container.replaceChildren(el("p", {}, t("detail.nodata")));
      return;
    }
    const values = points.map((point) => point.value);
    container.replaceChildren(timeChart({
      start, end, yMax: 100, unit: "%",
      lines: [{ points, className: "occupancy" }],
      title: `${t("detail.chart.parking")}: ${p.name || feature.id}`,
      summary: `${points.length} × ${t("detail.occupancy")}: ${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))} %`,
      formatTick: formatHour,
    }));
  } catch (error) {
    showError(container, error);
  }
}
