// Copies the browser libraries the web interface uses from node_modules (installed from the
// npm registry by `npm ci`) into the Python package's static assets, with their licences.
// The copies are committed, so `pip install` needs no Node.js; CI runs this again and checks
// that nothing changed (see .ci/run).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "api", "web", "static", "vendor");

// Each package: the files the pages load, and the licence that must travel with them.
const PACKAGES = {
  leaflet: ["dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"],
};

rmSync(vendor, { recursive: true, force: true });
const manifest = {};
for (const [name, files] of Object.entries(PACKAGES)) {
  const source = join(here, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  const target = join(vendor, name);
  for (const file of files) {
    const destination = join(target, file.replace(/^dist\//, ""));
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(join(source, file), destination, { recursive: true });
  }
  manifest[name] = { version: meta.version, license: meta.license, files };
}
writeFileSync(join(vendor, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`vendored into ${vendor}: ${Object.keys(manifest).join(", ")}`);
