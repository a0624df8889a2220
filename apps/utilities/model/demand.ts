/**
 * Mesh-wide demand and market shares as a utilities app observes them on `home.measured` (docs/domain.md, "Providers"):
 * the latest grid power and provider of every home in every region.
 */
export class MeshDemand {
  private readonly homes = new Map<string, { powerW: number; providerId: string | null }>();

  observe(homeId: string, powerW: number, providerId: string | null): void {
    this.homes.set(homeId, { powerW, providerId });
  }

  /** Net demand in kW (+import, −export) over all homes seen. */
  netDemandKw(): number {
    let w = 0;
    for (const h of this.homes.values()) w += h.powerW;
    return w / 1000;
  }

  get homeCount(): number {
    return this.homes.size;
  }

  /** Share of homes supplied by `providerId`; null before any home was seen. */
  share(providerId: string): number | null {
    if (this.homes.size === 0) return null;
    let n = 0;
    for (const h of this.homes.values()) if (h.providerId === providerId) n++;
    return n / this.homes.size;
  }

  /** Providers supplying at least one home. */
  providers(): Set<string> {
    const s = new Set<string>();
    for (const h of this.homes.values()) if (h.providerId) s.add(h.providerId);
    return s;
  }

  clear(): void {
    this.homes.clear();
  }
}
