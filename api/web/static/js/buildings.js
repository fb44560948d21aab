// A building's details: its level for the chosen profile, why (the deciding criteria with their
// outcome and explanation in the page's language), and its levels for the other profiles.

import { config, t, el, badge, facts } from "./common.js";

const text = (value) => (value && typeof value === "object" ? value[config.lang] ?? value.en : value);

export function buildingDetails(feature, profile, showDetails) {
  const p = feature.properties;
  const judgement = (p.profiles || {})[profile] || {};
  const level = judgement.level || p[profile] || "unknown";
  const reasons = (judgement.reasons || {})[config.lang] || [];
  const criteria = (judgement.deciding || []).map((id) => ({ id, ...((p.criteria || {})[id] || {}) }));
  const table = el("table", { class: "criteria" },
    el("caption", {}, t("detail.criteria")),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, t("detail.criterion")),
      el("th", { scope: "col" }, t("detail.outcome")),
      el("th", { scope: "col" }, t("detail.explanation")))),
    el("tbody", {}, criteria.map((criterion) => el("tr", { "data-outcome": criterion.outcome || "unknown" },
      el("th", { scope: "row" }, el("code", {}, criterion.id)),
      el("td", {}, t(`outcome.${criterion.outcome || "unknown"}`)),
      el("td", {}, text(criterion.explanation) || "—")))));
  const others = el("ul", { class: "profiles" }, config.profiles.map((name) => el("li", {},
    `${t(`profile.${name}`)}: `, badge("accessibility", p[name] in config.colours.accessibility ? p[name] : "unknown"))));
  showDetails(p.name || feature.id, facts([
    [t("detail.profile"), t(`profile.${profile}`)],
    [t("detail.level"), badge("accessibility", level in config.colours.accessibility ? level : "unknown")],
    [t("detail.basis"), judgement.basis],
    [t("detail.reasons"), reasons.join("; ")],
  ]), table, others);
}
