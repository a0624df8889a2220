/**
 * Where the homes are, for the map: per municipality, the number of homes and their mean
 * coordinates. The queries' `get_locations` knows every home; until it answers (or while the read
 * side is away), the homes' own `home.initialized` events place them. An answer given while a
 * region's homes had not reached the read side yet (a fresh run starts the homes and the dashboard
 * together) lacks that region: its homes are placed by their events until the next answer has it,
 * so the map never shows two regions of three for the 30 s between answers.
 */
import type { HomeInitialized } from '../../shared/contract';
import type { Region } from '../../shared/env';

/** A municipality with homes, placed by its homes' mean coordinates. */
export interface LocationView {
  city: string;
  region: Region;
  homes: number;
  latitude: number;
  longitude: number;
}

export class HomeLocations {
  private readonly homes = new Map<string, { city: string; region: Region; lat: number; lon: number }>();
  private fromQueries: LocationView[] | null = null;

  /** Records a home; true when the list shown changes (no answer yet, or one without its region). */
  homeInitialized(e: HomeInitialized): boolean {
    this.homes.set(e.home_id, {
      city: e.city,
      region: e.region,
      lat: e.address.latitude,
      lon: e.address.longitude,
    });
    return this.fromQueries === null || !this.fromQueries.some((l) => l.region === e.region);
  }

  /** The queries' places; an answer without any placed home (no coordinates yet) is not used. */
  answered(locations: LocationView[]): void {
    this.fromQueries = locations.length > 0 ? locations : null;
  }

  list(): LocationView[] {
    const answered = this.fromQueries;
    if (!answered) return this.fromEvents(() => true);
    const inAnswer = new Set(answered.map((l) => l.region));
    const missing = this.fromEvents((region) => !inAnswer.has(region));
    return missing.length > 0 ? [...answered, ...missing] : answered;
  }

  /** Places by the events' homes of the regions `wanted` accepts, per city. */
  private fromEvents(wanted: (region: Region) => boolean): LocationView[] {
    const byCity = new Map<string, LocationView>();
    for (const h of this.homes.values()) {
      if (!wanted(h.region)) continue;
      const key = `${h.region}/${h.city}`;
      const l = byCity.get(key) ?? { city: h.city, region: h.region, homes: 0, latitude: 0, longitude: 0 };
      l.latitude = (l.latitude * l.homes + h.lat) / (l.homes + 1);
      l.longitude = (l.longitude * l.homes + h.lon) / (l.homes + 1);
      l.homes++;
      byCity.set(key, l);
    }
    return [...byCity.values()];
  }
}
