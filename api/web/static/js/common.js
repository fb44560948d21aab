// What every page shares: its configuration, texts, API calls and small DOM helpers.
// The configuration is rendered by the server into a JSON script element (not executed), so
// the pages need no inline script and run under a strict Content-Security-Policy.

export const config = JSON.parse(document.getElementById("stadspuls-config").textContent);

export function t(key) {
  return config.messages[key] ?? key;
}

const LOCALE = config.lang === "nl" ? "nl-BE" : "en-GB";
const TIME = new Intl.DateTimeFormat(LOCALE, {
  dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Brussels",
});
const HOUR = new Intl.DateTimeFormat(LOCALE, {
  weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Brussels",
});
const NUMBER = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });

export const formatTime = (value) => (value ? TIME.format(new Date(value)) : "—");
export const formatHour = (value) => HOUR.format(new Date(value));
export const formatNumber = (value) => (value === null || value === undefined ? "—" : NUMBER.format(value));

/** A URL of this server's API with query parameters (undefined and null ones left out). */
export function apiUrl(path, params = {}) {
  const url = new URL(config.api + path, window.location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  return url.toString();
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(`${status}: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

/** GET (or any request) as JSON; a problem+json answer becomes an ApiError with its detail. */
export async function fetchJson(url, options = {}) {
  const response = await fetch(url, {
    ...options, headers: { Accept: "application/json", ...(options.headers || {}) },
  });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail || detail;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(response.status, detail);
  }
  return response.json();
}

/**
 * Every feature of an items query, following ``next`` links (at most ``pages`` pages).
 * ``cache: "no-cache"`` revalidates with the server (a cheap 304 when nothing changed) instead
 * of reusing a response the API allowed caching for a minute: live layers need it.
 */
export async function fetchFeatures(collection, params = {}, pages = 20, cache = "default") {
  let url = apiUrl(`/collections/${collection}/items`, { limit: 10000, ...params });
  const features = [];
  for (let page = 0; url && page < pages; page += 1) {
    const body = await fetchJson(url, { cache, headers: { Accept: "application/geo+json" } });
    features.push(...body.features);
    url = (body.links || []).find((link) => link.rel === "next")?.href;
  }
  return features;
}

/** An element with attributes and children (strings become text, never HTML). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return element;
}

/** A coloured badge: the category's name on its layer colour (see palette.css). */
export function badge(layer, category, text) {
  return el("span", {
    class: "sp-badge sp-swatch", "data-layer": layer, "data-category": category,
  }, text ?? t(`${layer}.${category}`));
}

/** A definition list from [term, value] pairs; values may be elements. */
export function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.flatMap(([term, value]) => [
    el("dt", {}, term), el("dd", {}, value ?? "—"),
  ]));
}

export function showError(container, error) {
  container.replaceChildren(el("p", { class: "error" }, `${t("error.title")}: ${error.detail || error.message}`));
}
