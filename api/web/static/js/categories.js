// How a parking site's state maps to a colour category (shared by the map and its details).

export function parkingCategory(p) {
  if (p.status === "closed" || p.opening_status === "closed") return "closed";
  if (p.status === "full") return "full";
  const occupancy = p.occupancy;
  if (occupancy === null || occupancy === undefined) {
    return p.status === "almostFull" ? "almostFull" : "unknown";
  }
  if (occupancy >= 90 || p.status === "almostFull") return "almostFull";
  return occupancy >= 70 ? "filling" : "free";
}
