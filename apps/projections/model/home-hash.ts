/**
 * A home id's 32-bit hash (FNV-1a, the one the simulation seeds from): the same home always lands
 * on the same writer connection (model/lanes.ts). Pure and cheap: it runs once per tick event.
 */
import { seedFrom } from '../../shared/rng';

export const homeHash = seedFrom;
