/**
 * Geometry of the map: the regions are the convex hulls of their homes' real coordinates, drawn on
 * Belgium's outline in a local equirectangular projection (at Belgium's size, ~250 km, the
 * distortion is below what a screen shows).
 */
export type LonLat = readonly [number, number];

function cross(o: LonLat, a: LonLat, b: LonLat): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull (Andrew's monotone chain), counter-clockwise, without repeating the first point. */
export function convexHull(points: readonly LonLat[]): LonLat[] {
  const ps = [...new Map(points.map((p) => [`${p[0]},${p[1]}`, p])).values()].sort(
    (a, b) => a[0] - b[0] || a[1] - b[1],
  );
  if (ps.length < 3) return ps;
  const lower: LonLat[] = [];
  for (const p of ps) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: LonLat[] = [];
  for (let i = ps.length - 1; i >= 0; i--) {
    const p = ps[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

export interface Box {
  minLon: number;
  maxLon: number;
  minLat: number;
  maxLat: number;
}

export function boundsOf(points: Iterable<LonLat>): Box {
  const b = { minLon: Infinity, maxLon: -Infinity, minLat: Infinity, maxLat: -Infinity };
  for (const [lon, lat] of points) {
    b.minLon = Math.min(b.minLon, lon);
    b.maxLon = Math.max(b.maxLon, lon);
    b.minLat = Math.min(b.minLat, lat);
    b.maxLat = Math.max(b.maxLat, lat);
  }
  return b;
}

/** Maps lon/lat into a width × height box (with a margin), north up, keeping the aspect ratio. */
export function projector(
  box: Box,
  width: number,
  height: number,
  margin = 8,
): (p: LonLat) => [number, number] {
  const k = Math.cos((((box.minLat + box.maxLat) / 2) * Math.PI) / 180);
  const w = (box.maxLon - box.minLon) * k || 1;
  const h = box.maxLat - box.minLat || 1;
  const scale = Math.min((width - 2 * margin) / w, (height - 2 * margin) / h);
  const offX = (width - w * scale) / 2;
  const offY = (height - h * scale) / 2;
  return ([lon, lat]) => [
    Math.round((offX + (lon - box.minLon) * k * scale) * 10) / 10,
    Math.round((offY + (box.maxLat - lat) * scale) * 10) / 10,
  ];
}

/** An SVG path (`M…L…Z`) of rings. */
export function pathOf(
  rings: ReadonlyArray<readonly LonLat[]>,
  project: (p: LonLat) => [number, number],
): string {
  return rings
    .filter((r) => r.length > 1)
    .map((r) => `M${r.map((p) => project(p).join(',')).join('L')}Z`)
    .join('');
}
