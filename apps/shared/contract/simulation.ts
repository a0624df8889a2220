/** The world: clock ticks with the weather and day-ahead prices they cover, and clock control. */
import { z } from 'zod';
import { eventBase, isoDate, isoTime, pricePerKwh, region } from './common';

export const weatherDaySchema = z.object({
  date: isoDate,
  region,
  /** Share of clear-sky sunshine in [0, 1]: scales solar output. */
  sunshine: z.number().min(0).max(1),
  temperature_c: z.number().min(-40).max(50),
});
export type WeatherDay = z.output<typeof weatherDaySchema>;

export const hourPriceSchema = z.object({ hour: isoTime, eur_per_kwh: pricePerKwh });
export type HourPrice = z.output<typeof hourPriceSchema>;

export const timeAdvancedSchema = z.object({
  ...eventBase,
  previous_simulation_time: isoTime,
  speed: z.number().positive(),
  paused: z.boolean(),
  tick: z.number().int().nonnegative(),
  /** Every simulated day the interval touches, for every region. */
  weather: z.array(weatherDaySchema),
  /** The day-ahead price of every simulated hour the interval touches. */
  prices: z.array(hourPriceSchema),
});
export type TimeAdvanced = z.output<typeof timeAdvancedSchema>;

export const stateChangedSchema = z.object({
  ...eventBase,
  change_type: z.enum(['paused', 'resumed', 'speed_changed']),
  speed: z.number().positive(),
  paused: z.boolean(),
});
export type StateChanged = z.output<typeof stateChangedSchema>;

export const resetSchema = z.object({ ...eventBase, new_start_time: isoTime });
export type Reset = z.output<typeof resetSchema>;

/** What every clock RPC returns. */
export const clockStatusSchema = z.object({
  success: z.boolean(),
  message: z.string(),
  simulation_time: isoTime,
  start_date: isoTime,
  speed: z.number().positive(),
  paused: z.boolean(),
  tick: z.number().int().nonnegative(),
});
export type ClockStatus = z.output<typeof clockStatusSchema>;

export const setSpeedArgsSchema = z.object({
  speed: z
    .number({ message: 'speed must be a number' })
    .int('speed must be an integer')
    .min(1, 'speed must be at least 1')
    .max(10_000_000, 'speed must be at most 10000000'),
});
