/**
 * The `utilities` app (docs/domain.md, "Providers"): runs the region's providers on the simulation's
 * ticks. Each publishes its hourly dynamic prices and its offers, moves its margin toward its
 * mesh-wide market-share target once a month, and serves `provider.{id}.accept_offer`, confirming
 * or rejecting on the market topics.
 */
import { GatewayError } from '../../gateway/client';
import type { GatewayClient, Registration, Subscription } from '../../gateway/client';
import {
  acceptOfferArgsSchema,
  contractExpiredSchema,
  contractSwitchedSchema,
  homeMeasuredSchema,
  PROCEDURES,
  resetSchema,
  timeAdvancedSchema,
  TOPICS,
  type PayloadOf,
  type TimeAdvanced,
  type Topic,
} from '../shared/contract';
import { envelope, isoTime, MalformedCounter, Publisher, subscribeValidated } from '../shared/events';
import type { Logger } from '../shared/logger';
import { TickStats } from '../shared/tick-stats';
import type { ProviderDefinition } from './catalogue';
import { MeshDemand } from './model/demand';
import { Provider } from './provider';

export interface UtilitiesAppOptions {
  region: string;
  providers: ProviderDefinition[];
  seed: string;
  log: Logger;
}

export interface UtilitiesApp {
  readonly providers: Provider[];
  readonly demand: MeshDemand;
  readonly malformed: MalformedCounter;
  readonly stats: TickStats;
  start(): Promise<void>;
  onTick(tick: TimeAdvanced): Promise<void>;
  /** Handler of `accept_offer` for one provider (what the registration calls). */
  acceptOffer(providerId: string, args: unknown): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export function createUtilitiesApp(options: UtilitiesAppOptions, client: GatewayClient): UtilitiesApp {
  const { log } = options;
  const malformed = new MalformedCounter();
  const stats = new TickStats();
  const demand = new MeshDemand();
  const publisher = new Publisher(client, log);
  const subscriptions: Subscription[] = [];
  const registrations: Registration[] = [];
  const build = () => options.providers.map((d) => new Provider(d, options.seed));
  let providers = build();
  let nowMs: number | null = null;

  const publish = <T extends Topic>(topic: T, simMs: number, payload: PayloadOf<T>) =>
    publisher.publish(topic, envelope(simMs, payload));

  const onTick = async (tick: TimeAdvanced): Promise<void> => {
    const started = process.hrtime.bigint();
    nowMs = Date.parse(tick.simulation_time);
    const inMesh = new Set([...demand.providers(), ...providers.map((p) => p.def.id)]).size;
    for (const p of providers) {
      const hours = p.priceHours(tick.prices);
      if (hours.length > 0) publish(TOPICS.spotPriceUpdated, nowMs, { provider_id: p.def.id, hours });
      const offer = p.maybeOffer(nowMs, demand.share(p.def.id), inMesh);
      if (offer) publish(TOPICS.contractProposed, nowMs, offer);
    }
    stats.recordCpu(Number(process.hrtime.bigint() - started) / 1e6);
    await publisher.settle();
    stats.record(Number(process.hrtime.bigint() - started) / 1e6, publisher.published);
  };

  const acceptOffer = async (providerId: string, args: unknown): Promise<Record<string, unknown>> => {
    const provider = providers.find((p) => p.def.id === providerId);
    if (!provider) throw new GatewayError('not_found', `provider ${providerId} is not running here`);
    const parsed = acceptOfferArgsSchema.safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GatewayError(
        'invalid_argument',
        `accept_offer: ${issue.path.join('.') || 'args'}: ${issue.message}`,
      );
    }
    const { home_id, offer_id } = parsed.data;
    if (nowMs === null) {
      return { success: false, reason: 'no_offer' };
    }
    const at = nowMs;
    const result = provider.accept(home_id, offer_id, at);
    if (!result.success) {
      publish(TOPICS.contractRejected, at, {
        provider_id: providerId,
        home_id,
        offer_id,
        reason: result.reason,
      });
      await publisher.settle();
      return { success: false, reason: result.reason };
    }
    const c = result.contract;
    const { valid_from: _validFrom, ...terms } = result.offer;
    publish(TOPICS.contractConfirmed, at, {
      ...terms,
      contract_id: c.contract_id,
      home_id,
      start_date: isoTime(c.startMs),
      end_date: isoTime(c.endMs),
    });
    await publisher.settle();
    log.info({ provider: providerId, home: home_id, contract: c.contract_id }, 'contract confirmed');
    return {
      success: true,
      contract_id: c.contract_id,
      start_date: isoTime(c.startMs),
      end_date: isoTime(c.endMs),
    };
  };

  return {
    get providers() {
      return providers;
    },
    demand,
    malformed,
    stats,
    onTick,
    acceptOffer,
    async start() {
      const sub = subscribeValidated;
      subscriptions.push(
        await sub(client, TOPICS.timeAdvanced, timeAdvancedSchema, malformed, log, onTick),
        await sub(client, TOPICS.reset, resetSchema, malformed, log, () => {
          providers = build();
          demand.clear();
          nowMs = null;
        }),
        await sub(client, TOPICS.homeMeasured, homeMeasuredSchema, malformed, log, (m) =>
          demand.observe(m.home_id, m.power_w, m.provider_id),
        ),
        // A home leaving a provider frees its contract (docs/domain.md, "Providers").
        await sub(client, TOPICS.contractSwitched, contractSwitchedSchema, malformed, log, (s) => {
          for (const p of providers) if (p.def.id === s.old_provider_id) p.release(s.home_id);
        }),
        await sub(client, TOPICS.contractExpired, contractExpiredSchema, malformed, log, (e) => {
          for (const p of providers) if (p.def.id === e.provider_id) p.release(e.home_id, e.contract_id);
        }),
      );
      for (const def of options.providers) {
        registrations.push(
          await client.register(PROCEDURES.acceptOffer(def.id), (args) => acceptOffer(def.id, args)),
        );
      }
      log.info(
        { region: options.region, providers: options.providers.map((p) => p.id) },
        'utilities started',
      );
    },
    async stop() {
      await Promise.all(subscriptions.splice(0).map((s) => s.unsubscribe().catch(() => undefined)));
      await Promise.all(registrations.splice(0).map((r) => r.unregister().catch(() => undefined)));
      await publisher.settle();
    },
  };
}
