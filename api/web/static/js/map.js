// The map: parking sites and bays (refreshing live), crowding locations coloured by the level
// of the hour the time slider shows, and buildings by their accessibility level for a profile.
// Features are SVG paths that can be focused (Tab) and opened (Enter or Space) like buttons.

import {
  config, t, el, badge, facts, fetchFeatures, formatTime, showError,
} from "./common.js";
import { crowdingLevels, crowdingDetails } from "./crowding.js";
import { parkingDetails } from "./parking.js";
import { buildingDetails } from "./buildings.js";
import { parkingCategory } from "./categories.js";

const L = window.L;
const colours = config.colours;
const OUTLINE = "#1f2328";
const mapElement = document.getElementById("map");
const map = L.map(mapElement, { keyboard: true }).setView([51.054, 3.724], 13);
const details = document.getElementById("details");
const detailsBody = document.getElementById("details-body");

// ---- base map, with a plain fallback -------------------------------------------------------

function addBaseMap() {
  const status = document.getElementById("tile-status");
  const plain = (message) => {
    mapElement.classList.add("no-tiles");
    status.textContent = message;
  };
  if (!config.tileUrl) return plain(t("map.tiles.none"));
  const tiles = L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 });
  let loaded = 0;
  tiles.on("tileload", () => { loaded += 1; });
  tiles.on("tileerror", () => {
    if (loaded === 0 && map.hasLayer(tiles)) {
      map.removeLayer(tiles);
      plain(t("map.tiles.failed"));
    }
  });
  tiles.addTo(map);
}

// ---- categories ------------------------------------------------------------------------------

const bayCategory = (p) => (p.status in colours.bay ? p.status : "unknown");
const buildingCategory = (p, profile) => (p[profile] in colours.accessibility ? p[profile] : "unknown");

// ---- layers ----------------------------------------------------------------------------------

/** One map layer of features kept by id, so a refresh restyles instead of rebuilding. */
class FeatureLayer {
  constructor(name, { palette, category, label, open, focusable = true, radius = 8 }) {
    Object.assign(this, { name, palette, category, label, open, focusable, radius });
    this.group = L.featureGroup().addTo(map);
    this.byId = new Map();
  }

  style(feature) {
    const category = this.category(feature.properties);
    const colour = colours[this.palette][category];
    const line = feature.geometry && feature.geometry.type.includes("LineString");
    return {
      color: line ? colour : OUTLINE, weight: line ? 7 : 2, opacity: 1,
      fillColor: colour, fillOpacity: line ? 0 : 0.85, radius: this.radius,
    };
  }

  set(features) {
    const seen = new Set();
    for (const feature of features) {
      seen.add(feature.id);
      const known = this.byId.get(feature.id);
      if (known) {
        known.feature = feature;
        this.restyle(known);
      } else {
        this.add(feature);
      }
    }
    for (const [id, layer] of this.byId) {
      if (!seen.has(id)) {
        this.group.removeLayer(layer);
        this.byId.delete(id);
      }
    }
    document.getElementById(`count-${this.name}`).textContent = `(${this.byId.size})`;
  }

  add(feature) {
    if (!feature.geometry) return;
    const layer = L.geoJSON(feature, {
      pointToLayer: (_f, latlng) => L.circleMarker(latlng),
      style: (f) => this.style(f),
    }).getLayers()[0];
    if (!layer) return;
    layer.feature = feature;
    layer.on("add", () => this.decorate(layer));
    layer.on("click", () => this.open(layer.feature));
    this.byId.set(feature.id, layer);
    this.group.addLayer(layer);
  }

  restyle(layer) {
    layer.setStyle(this.style(layer.feature));
    this.decorate(layer);
  }

  restyleAll() {
    for (const layer of this.byId.values()) this.restyle(layer);
  }

  /** Data attributes (for people's tools and the tests) and keyboard access on the path. */
  decorate(layer) {
    const path = layer.getElement && layer.getElement();
    if (!path) return;
    const category = this.category(layer.feature.properties);
    path.setAttribute("data-layer", this.name);
    path.setAttribute("data-id", layer.feature.id);
    path.setAttribute("data-category", category);
    path.setAttribute("aria-label", `${this.label(layer.feature.properties)}: ${t(`${this.palette}.${category}`)}`);
    if (this.focusable && !path.hasAttribute("tabindex")) {
      path.setAttribute("tabindex", "0");
      path.setAttribute("role", "button");
      path.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          this.open(layer.feature);
        }
      });
    }
  }
}

/** Replaces the details panel and brings keyboard focus to it. */
export function showDetails(title, ...content) {
  detailsBody.replaceChildren(el("h3", {}, title), ...content);
  details.focus();
}

const profileSelect = document.getElementById("profile");
const slider = document.getElementById("crowding-time");
const levels = crowdingLevels(slider, () => layers.crowding.restyleAll());

const layers = {
  parking: new FeatureLayer("parking", {
    palette: "parking", category: parkingCategory, radius: 10,
    label: (p) => p.name || t("map.layer.parking"),
    open: (feature) => parkingDetails(feature, showDetails),
  }),
  bays: new FeatureLayer("bays", {
    palette: "bay", category: bayCategory, radius: 5, focusable: false,
    label: (p) => p.device || t("map.layer.bays"),
    open: (feature) => showDetails(feature.properties.device || feature.id, facts([
      [t("detail.state"), badge("bay", bayCategory(feature.properties))],
      [t("detail.zone"), feature.properties.zone_id],
      [t("detail.observed"), formatTime(feature.properties.observed_at)],
    ])),
  }),
  crowding: new FeatureLayer("crowding", {
    palette: "crowding", category: (p) => levels.levelOf(p.__id) || "none",
    label: (p) => p.name || p.__id,
    open: (feature) => crowdingDetails(feature, levels, showDetails),
  }),
  buildings: new FeatureLayer("buildings", {
    palette: "accessibility", category: (p) => buildingCategory(p, profileSelect.value),
    label: (p) => p.name || t("map.layer.buildings"),
    open: (feature) => buildingDetails(feature, profileSelect.value, showDetails),
  }),
};

const withId = (features) => features.map((f) => ({ ...f, properties: { ...f.properties, __id: f.id } }));

async function load(name, collection, cache = "default") {
  try {
    layers[name].set(withId(await fetchFeatures(collection, {}, 20, cache)));
  } catch (error) {
    document.getElementById(`count-${name}`).textContent = `(${t("map.error")})`;
    console.error(error);
  }
}

async function refreshLive() {
  await Promise.all([
    load("parking", "parking-sites", "no-cache"), load("bays", "parking-bays", "no-cache"),
  ]);
  document.getElementById("updated").textContent = `${t("map.updated")} ${formatTime(new Date())}`;
}

/** ``?center=lat,lon&zoom=z`` opens the map there (a link to a place); else it shows all. */
function askedView() {
  const query = new URLSearchParams(window.location.search);
  const [lat, lon] = (query.get("center") || "").split(",").map(Number);
  const zoom = Number(query.get("zoom") || 16);
  return Number.isFinite(lat) && Number.isFinite(lon) && query.has("center") ? { lat, lon, zoom } : null;
}

function fitToData() {
  const asked = askedView();
  if (asked) return map.setView([asked.lat, asked.lon], asked.zoom, { animate: false });
  const bounds = L.latLngBounds([]);
  for (const layer of Object.values(layers)) {
    if (map.hasLayer(layer.group) && layer.byId.size) bounds.extend(layer.group.getBounds());
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16, animate: false });
}

function wireControls() {
  for (const toggle of document.querySelectorAll("[data-layer-toggle]")) {
    toggle.addEventListener("change", () => {
      const group = layers[toggle.dataset.layerToggle].group;
      if (toggle.checked) group.addTo(map); else map.removeLayer(group);
    });
  }
  profileSelect.addEventListener("change", () => layers.buildings.restyleAll());
  let timer = null;
  const live = document.getElementById("live");
  const schedule = () => {
    clearInterval(timer);
    if (live.checked) timer = setInterval(refreshLive, config.refreshSeconds * 1000);
  };
  live.addEventListener("change", schedule);
  schedule();
}

async function start() {
  addBaseMap();
  wireControls();
  document.getElementById("updated").textContent = t("map.loading");
  await Promise.all([
    refreshLive(),
    load("crowding", "crowding-locations"),
    load("buildings", "accessibility-buildings"),
    levels.load().catch((error) => console.error(error)),
  ]);
  layers.crowding.restyleAll();
  fitToData();
  mapElement.dataset.ready = "true";
}

start().catch((error) => showError(detailsBody, error));
