// Small charts as inline SVG: a time axis, bars and/or a line, with a text alternative.
// Drawn here rather than with a charting library: three chart shapes do not justify one.

const SVG = "http://www.w3.org/2000/svg";
let chartCount = 0;

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * A time chart. ``bars``: [{time, value, className, dataset}] drawn as columns one ``step`` wide;
 * ``lines``: [{points: [{time, value}], className}]. ``start``/``end`` bound the time axis
 * (ms), ``yMax`` the value axis. ``title`` and ``summary`` make its text alternative.
 */
export function timeChart({
  start, end, step = 3600_000, yMax, bars = [], lines = [], title, summary, formatTick, unit = "",
}) {
  chartCount += 1;
  const width = 340, height = 170, left = 38, right = 8, top = 10, bottom = 26;
  const plotWidth = width - left - right, plotHeight = height - top - bottom;
  const top0 = Math.max(yMax || 0, ...bars.map((b) => b.value ?? 0),
    ...lines.flatMap((l) => l.points.map((p) => p.value ?? 0)), 1);
  const x = (time) => left + ((time - start) / Math.max(end - start, 1)) * plotWidth;
  const y = (value) => top + plotHeight - (value / top0) * plotHeight;
  const id = `chart-${chartCount}`;
  const root = svg("svg", {
    class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-labelledby": `${id}-title ${id}-desc`,
  });
  root.append(svg("title", { id: `${id}-title` }, title), svg("desc", { id: `${id}-desc` }, summary));
  const axes = svg("g", { class: "axes", "aria-hidden": "true" });
  for (const fraction of [0, 0.5, 1]) {
    const value = top0 * fraction;
    axes.append(
      svg("line", { x1: left, x2: width - right, y1: y(value), y2: y(value), class: "grid" }),
      svg("text", { x: left - 4, y: y(value) + 4, "text-anchor": "end" }, `${Math.round(value)}${unit}`),
    );
  }
  for (const fraction of [0, 0.5, 1]) {
    const time = start + (end - start) * fraction;
    const anchor = fraction === 0 ? "start" : fraction === 1 ? "end" : "middle";
    axes.append(svg("text", { x: x(time), y: height - 8, "text-anchor": anchor }, formatTick(time)));
  }
  root.append(axes);
  const columns = svg("g", { class: "bars" });
  const barWidth = Math.max((step / Math.max(end - start, 1)) * plotWidth - 1, 1);
  for (const bar of bars) {
    if (bar.value === null || bar.value === undefined) continue;
    const rect = svg("rect", {
      x: x(bar.time), y: y(bar.value), width: barWidth,
      height: Math.max(top + plotHeight - y(bar.value), 0), class: bar.className || "bar",
    });
    for (const [name, value] of Object.entries(bar.dataset || {})) rect.setAttribute(`data-${name}`, value);
    columns.append(rect);
  }
  root.append(columns);
  for (const line of lines) {
    const points = line.points.filter((p) => p.value !== null && p.value !== undefined);
    if (!points.length) continue;
    const path = points.map((p, i) => `${i ? "L" : "M"}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
    root.append(svg("path", { d: path, class: line.className || "line", fill: "none" }));
    if (points.length === 1) {
      root.append(svg("circle", { cx: x(points[0].time), cy: y(points[0].value), r: 3, class: line.className || "line" }));
    }
  }
  return root;
}
