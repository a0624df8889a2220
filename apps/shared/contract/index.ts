/**
 * The one typed event contract (docs/domain.md): topic names, one zod schema per payload, and the
 * types publishers build and subscribers receive. Publishers type their payloads with these; every
 * subscriber validates with them.
 */
import type { z } from 'zod';
import {
  balanceUpdatedSchema,
  contractExpiredSchema,
  contractSwitchedSchema,
  homeBilledSchema,
  homeConnectedSchema,
  homeDisconnectedSchema,
  homeInitializedSchema,
  homeMeasuredSchema,
  homeTradedSchema,
} from './homes';
import {
  contractConfirmedSchema,
  contractProposedSchema,
  contractRejectedSchema,
  spotPriceUpdatedSchema,
} from './market';
import {
  cityMeasuredSchema,
  historyUpdatedSchema,
  metricsThroughputSchema,
  providerMetricsCalculatedSchema,
  totalsCalculatedSchema,
} from './read-side';
import { resetSchema, stateChangedSchema, timeAdvancedSchema } from './simulation';
import { TOPICS, type Topic } from './topics';

export * from './common';
export * from './homes';
export * from './market';
export * from './read-side';
export * from './simulation';
export * from './topics';

/** The schema of every topic's payload. */
export const EVENT_SCHEMAS = {
  [TOPICS.timeAdvanced]: timeAdvancedSchema,
  [TOPICS.stateChanged]: stateChangedSchema,
  [TOPICS.reset]: resetSchema,
  [TOPICS.homeInitialized]: homeInitializedSchema,
  [TOPICS.homeConnected]: homeConnectedSchema,
  [TOPICS.homeDisconnected]: homeDisconnectedSchema,
  [TOPICS.homeMeasured]: homeMeasuredSchema,
  [TOPICS.homeTraded]: homeTradedSchema,
  [TOPICS.homeBilled]: homeBilledSchema,
  [TOPICS.balanceUpdated]: balanceUpdatedSchema,
  [TOPICS.contractSwitched]: contractSwitchedSchema,
  [TOPICS.contractExpired]: contractExpiredSchema,
  [TOPICS.contractProposed]: contractProposedSchema,
  [TOPICS.spotPriceUpdated]: spotPriceUpdatedSchema,
  [TOPICS.contractConfirmed]: contractConfirmedSchema,
  [TOPICS.contractRejected]: contractRejectedSchema,
  [TOPICS.totalsCalculated]: totalsCalculatedSchema,
  [TOPICS.historyUpdated]: historyUpdatedSchema,
  [TOPICS.providerMetricsCalculated]: providerMetricsCalculatedSchema,
  [TOPICS.cityMeasured]: cityMeasuredSchema,
  [TOPICS.metricsThroughput]: metricsThroughputSchema,
} as const satisfies Record<Topic, z.ZodType>;

export type EventSchemas = typeof EVENT_SCHEMAS;
/** The payload of a topic as subscribers receive it. */
export type EventOf<T extends Topic> = z.output<EventSchemas[T]>;
/** The payload a publisher builds for a topic, without the envelope's `event_id`/`simulation_time`. */
export type PayloadOf<T extends Topic> = WithoutEnvelope<z.input<EventSchemas[T]>>;
type WithoutEnvelope<P> = P extends unknown ? Omit<P, 'event_id' | 'simulation_time'> : never;

/** Looks a topic's schema up; undefined for a topic outside the contract. */
export function schemaFor(topic: string): z.ZodType | undefined {
  return (EVENT_SCHEMAS as Record<string, z.ZodType>)[topic];
}
