import { RadioError } from './errors.js';

/** Metres on a plane (x east, y north), or WGS84 latitude/longitude in degrees. Altitude in metres. */
export type Position = { x: number; y: number; z?: number } | { lat: number; lon: number; alt?: number };

const EARTH_RADIUS_M = 6_371_008.8;

function isGeo(p: Position): p is { lat: number; lon: number; alt?: number } {
  return 'lat' in p;
}

/**
 * Straight-line distance in metres. Plane positions use Euclid; lat/lon positions the haversine
 * great-circle distance combined with the altitude difference. Mixing the two is an error.
 */
export function distance(a: Position, b: Position): number {
  if (isGeo(a) !== isGeo(b)) throw new RadioError('positions mix metres on a plane with latitude/longitude');
  if (isGeo(a) && isGeo(b)) {
    const rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad;
    const dLon = (b.lon - a.lon) * rad;
    const h =
      Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    const ground = 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
    return Math.hypot(ground, (b.alt ?? 0) - (a.alt ?? 0));
  }
  const p = a as { x: number; y: number; z?: number };
  const q = b as { x: number; y: number; z?: number };
  // Not Math.hypot: its arguments make an array a call, and every link of every uplink asks.
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const dz = (q.z ?? 0) - (p.z ?? 0);
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}
