/**
 * The `homes` app (docs/domain.md, "Homes"): runs every home of one region on the simulation's ticks
 * in the world each tick describes, publishes the home events, keeps the market's offers and hourly
 * prices, and switches or renews contracts through `provider.{id}.accept_offer`, acting only on the
 * provider's confirmation.
 */
import type { GatewayClient, Subscription } from '../../gateway/client';
import {
  acceptOfferResultSchema,
  contractProposedSchema,
  PROCEDURES,
  resetSchema,
  spotPriceUpdatedSchema,
  timeAdvancedSchema,
  TOPICS,
  type PayloadOf,
  type TimeAdvanced,
  type Topic,
} from '../shared/contract';
import { envelope, MalformedCounter, Publisher, subscribeValidated } from '../shared/events';
import type { Logger } from '../shared/logger';
import type { Region } from '../shared/env';
import { TickStats } from '../shared/tick-stats';
import { SimulatedHome } from './home';
import type { HomeConfig } from './homes-file';
import { MarketView } from './market-view';
import type { Decision } from './model/projection';
import type { NetworkTariff } from './network-tariffs';
import { TickWorld } from './world-view';

export interface HomesAppOptions {
  region: Region;
  homes: HomeConfig[];
  tariff: NetworkTariff;
  thresholdEur: number;
  /** Monthly chance that a home acts on a worthwhile saving (SWITCH_PROPENSITY). */
  propensity: number;
  seed: string;
  log: Logger;
  rpcTimeoutMs?: number;
}

export interface HomesApp {
  readonly homes: SimulatedHome[];
  readonly market: MarketView;
  readonly world: TickWorld;
  readonly malformed: MalformedCounter;
  readonly stats: TickStats;
  start(): Promise<void>;
  /** Processes one clock tick (also what the subscription calls). */
  onTick(tick: TimeAdvanced): Promise<void>;
  /** Resolves when no accept_offer call is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function createHomesApp(options: HomesAppOptions, client: GatewayClient): HomesApp {
  const { log } = options;
  const malformed = new MalformedCounter();
  const stats = new TickStats();
  const market = new MarketView();
  const world = new TickWorld(options.region);
  const publisher = new Publisher(client, log);
  const subscriptions: Subscription[] = [];
  const inflight = new Set<Promise<void>>();
  const build = () => options.homes.map((h) => new SimulatedHome(h, options.seed, options.tariff));
  let homes = build();
  let queue: Promise<void> = Promise.resolve();
  let skippedWarned = false;
  /** initialized/connected go out on the first tick, when the simulated time is known. */
  let announced = false;
  /** First contracts wait one tick after the first offers, so every provider's offer is in. */
  let offersSeenAtTick: number | null = null;

  const publish = <T extends Topic>(topic: T, simMs: number, payload: PayloadOf<T>) =>
    publisher.publish(topic, envelope(simMs, payload));

  const announce = (simMs: number) => {
    for (const home of homes) {
      publish(TOPICS.homeInitialized, simMs, home.initializedPayload());
      publish(TOPICS.homeConnected, simMs, { home_id: home.config.id, region: options.region });
    }
  };

  const expire = (home: SimulatedHome, nowMs: number) => {
    const c = home.contract;
    if (!c) return;
    publish(TOPICS.contractExpired, nowMs, {
      home_id: home.config.id,
      region: options.region,
      contract_id: c.contract_id,
      provider_id: c.provider_id,
      start_date: new Date(c.startMs).toISOString(),
      end_date: new Date(c.endMs).toISOString(),
    });
  };

  /**
   * Carries out a decision; the contract changes only on the provider's confirmation. At high speed
   * a provider makes a new offer every tick, so the one a home chose may have been superseded by the
   * time it is accepted: the home then takes the provider's newer offer once.
   */
  const execute = async (
    home: SimulatedHome,
    decision: Decision,
    nowMs: number,
    retry = true,
  ): Promise<void> => {
    if (decision.kind === 'stay') return;
    const expired = home.contract !== null && nowMs >= home.contract.endMs;
    if (expired && retry) expire(home, nowMs);
    if (decision.kind === 'spot') {
      home.dropToSpot(nowMs);
      return;
    }
    const { offer, savings } = decision;
    const old = home.contract;
    home.pending = true;
    try {
      const raw = await client.call(
        PROCEDURES.acceptOffer(offer.provider_id),
        {
          home_id: home.config.id,
          offer_id: offer.offer_id,
          reason: expired ? 'contract_expired' : 'better_offer',
        },
        { timeoutMs: options.rpcTimeoutMs ?? 5000 },
      );
      const result = acceptOfferResultSchema.safeParse(raw);
      if (!result.success) {
        malformed.add('accept_offer.result');
        log.warn({ home: home.config.id, provider: offer.provider_id }, 'malformed accept_offer result');
      } else if (!result.data.success) {
        const newer = market.offers.get(offer.provider_id);
        if (
          retry &&
          result.data.reason === 'offer_superseded' &&
          newer &&
          newer.offer_id !== offer.offer_id
        ) {
          home.pending = false;
          return execute(home, { ...decision, offer: newer }, nowMs, false);
        }
        log.debug(
          { home: home.config.id, provider: offer.provider_id, reason: result.data.reason },
          'offer rejected',
        );
      } else {
        const r = result.data;
        home.setContract(r.contract_id, offer, Date.parse(r.start_date), Date.parse(r.end_date), nowMs);
        if (decision.kind === 'switch' && old?.provider_id !== offer.provider_id) {
          publish(TOPICS.contractSwitched, nowMs, {
            home_id: home.config.id,
            region: options.region,
            old_provider_id: old?.provider_id ?? null,
            new_provider_id: offer.provider_id,
            old_contract_id: old?.contract_id ?? null,
            new_contract_id: r.contract_id,
            offer_id: offer.offer_id,
            ...savings,
          });
        }
        return;
      }
    } catch (err) {
      log.warn({ err, home: home.config.id, provider: offer.provider_id }, 'accept_offer failed');
    } finally {
      home.pending = false;
    }
    // Not confirmed: an expired contract cannot continue, the home buys at day-ahead until its next review.
    if (expired) home.dropToSpot(nowMs);
  };

  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  const processTick = async (tick: TimeAdvanced): Promise<void> => {
    const started = process.hrtime.bigint();
    const nowMs = Date.parse(tick.simulation_time);
    world.absorb(tick);
    const offers = [...market.offers.values()];
    if (offers.length > 0 && offersSeenAtTick === null) offersSeenAtTick = tick.tick;
    const assignFirst = offersSeenAtTick !== null && tick.tick > offersSeenAtTick;
    if (!announced) {
      announced = true;
      announce(nowMs);
    }
    for (const home of homes) {
      const r = home.advance(nowMs, world, market);
      if (assignFirst && !home.hadContract) home.assignInitialContract(nowMs, offers);
      if (!r) continue;
      if (r.skippedMs > 0 && !skippedWarned) {
        skippedWarned = true;
        log.warn(
          { skipped_hours: r.skippedMs / 3.6e6 },
          'tick longer than 48 simulated hours: the excess is skipped',
        );
      }
      publish(TOPICS.homeMeasured, nowMs, r.measured);
      publish(TOPICS.homeTraded, nowMs, r.traded);
      for (const bill of r.bills) publish(TOPICS.homeBilled, nowMs, bill);
      if (r.balance) publish(TOPICS.balanceUpdated, nowMs, r.balance);
      const at = r.expired ? 'expiry' : r.reviewDue ? 'review' : null;
      if (at && home.hadContract) {
        const decision = home.decide(market, options.thresholdEur, options.propensity, at);
        if (decision.kind !== 'stay') track(execute(home, decision, nowMs));
      }
    }
    if (world.tickGaps > 0) {
      malformed.add('time_advanced.coverage');
      log.warn(
        { tick: tick.tick, missing: world.tickGaps },
        'tick did not cover its interval: used the last price and the season',
      );
    }
    stats.recordCpu(Number(process.hrtime.bigint() - started) / 1e6);
    await publisher.settle();
    stats.record(Number(process.hrtime.bigint() - started) / 1e6, publisher.published);
  };

  /** simulation.reset: every home starts again from its file and seed; offers are cleared. */
  const onReset = (newStartMs: number): Promise<void> => {
    queue = queue.then(() => {
      homes = build();
      market.clear();
      world.clear();
      announced = false;
      offersSeenAtTick = null;
      log.info({ new_start_time: new Date(newStartMs).toISOString() }, 'homes reset');
    });
    return queue;
  };

  const onTick = (tick: TimeAdvanced): Promise<void> => {
    // Ticks are processed one after the other; a slow tick delays the next rather than interleaving.
    queue = queue.then(() => processTick(tick)).catch((err: unknown) => log.error({ err }, 'tick failed'));
    return queue;
  };

  return {
    get homes() {
      return homes;
    },
    market,
    world,
    malformed,
    stats,
    onTick,
    idle: async () => {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    async start() {
      const sub = subscribeValidated;
      subscriptions.push(
        await sub(client, TOPICS.timeAdvanced, timeAdvancedSchema, malformed, log, onTick),
        await sub(client, TOPICS.reset, resetSchema, malformed, log, (r) =>
          onReset(Date.parse(r.new_start_time)),
        ),
        await sub(client, TOPICS.contractProposed, contractProposedSchema, malformed, log, (offer) =>
          market.addOffer(offer),
        ),
        await sub(client, TOPICS.spotPriceUpdated, spotPriceUpdatedSchema, malformed, log, (q) =>
          market.addProviderHours(q),
        ),
      );
      log.info({ region: options.region, homes: homes.length }, 'homes started');
    },
    async stop() {
      await Promise.all(subscriptions.splice(0).map((s) => s.unsubscribe().catch(() => undefined)));
      await queue;
      const last = homes[0]?.lastMs ?? Date.now();
      for (const home of homes) {
        publish(TOPICS.homeDisconnected, home.lastMs ?? last, {
          home_id: home.config.id,
          region: options.region,
          reason: 'shutdown',
        });
      }
      await publisher.settle();
    },
  };
}
