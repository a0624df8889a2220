/**
 * The `homes` app (domain.md §3): runs every home of one region on the simulation's ticks, publishes the
 * home events, keeps the market's offers and spot quotes, and switches or renews contracts through
 * `provider.{id}.accept_offer`, acting only on the provider's confirmation.
 */
import type { GatewayClient, Subscription } from '../../gateway/client/types';
import { envelope, MalformedCounter, Publisher, subscribeValidated } from '../shared/events';
import type { Logger } from '../shared/logger';
import {
  acceptOfferResultSchema,
  offerSchema,
  resetSchema,
  spotPriceSchema,
  timeAdvancedSchema,
  type TimeAdvanced,
} from '../shared/messages';
import { PROCEDURES, TOPICS } from '../shared/topics';
import { SimulatedHome } from './home';
import type { HomeConfig } from './homes-file';
import { MarketView } from './market-view';
import type { Decision } from './model/projection';
import { TickStats } from '../shared/tick-stats';

export interface HomesAppOptions {
  region: string;
  homes: HomeConfig[];
  thresholdEur: number;
  seed: string;
  log: Logger;
  rpcTimeoutMs?: number;
}

export interface HomesApp {
  readonly homes: SimulatedHome[];
  readonly market: MarketView;
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
  const publisher = new Publisher(client, log);
  const subscriptions: Subscription[] = [];
  const inflight = new Set<Promise<void>>();
  const build = () => options.homes.map((h) => new SimulatedHome(h, options.seed));
  let homes = build();
  let queue: Promise<void> = Promise.resolve();
  let skippedWarned = false;
  /** initialized/connected go out on the first tick, when the simulated time is known. */
  let announced = false;

  const publish = (topic: string, simMs: number, payload: object) =>
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
      contract_id: c.contract_id,
      provider_id: c.provider_id,
      start_date: new Date(c.startMs).toISOString(),
      end_date: new Date(c.endMs).toISOString(),
    });
  };

  /**
   * Carries out a decision; the contract changes only on the provider's confirmation (domain.md §3).
   * At high speed a provider makes a new offer every tick, so the one a home chose may have been
   * superseded by the time it is accepted: the home then decides once more with the offers it now holds.
   */
  const execute = async (
    home: SimulatedHome,
    decision: Decision,
    nowMs: number,
    retry = true,
  ): Promise<void> => {
    if (decision.kind === 'stay') return;
    const expired = home.contract !== null && nowMs >= home.contract.endMs;
    if (expired) expire(home, nowMs);
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
        const reason = result.data.reason;
        log.debug({ home: home.config.id, provider: offer.provider_id, reason }, 'offer rejected');
        const newer = market.offers.get(offer.provider_id);
        if (retry && reason === 'offer_superseded' && newer && newer.offer_id !== offer.offer_id) {
          home.pending = false;
          const again = home.decide(nowMs, market, options.thresholdEur);
          if (again.kind !== 'stay') return execute(home, again, nowMs, false);
        }
      } else {
        const r = result.data;
        home.setContract(r.contract_id, offer, r.start_date, r.end_date, nowMs);
        if (decision.kind === 'switch') {
          home.lastSwitchMs = nowMs;
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
    // Not confirmed: an expired contract cannot continue, the home buys at spot until the next decision.
    if (expired) home.dropToSpot(nowMs);
  };

  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  const processTick = async (tick: TimeAdvanced): Promise<void> => {
    const started = process.hrtime.bigint();
    const nowMs = tick.simulation_time;
    const offers = [...market.offers.values()];
    if (!announced) {
      announced = true;
      announce(nowMs);
    }
    for (const home of homes) {
      const r = home.advance(nowMs, market);
      if (offers.length > 0 && !home.hadContract) home.assignInitialContract(nowMs, offers);
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
      if (r.balance) publish(TOPICS.balanceUpdated, nowMs, r.balance);
      if (r.dayCrossed) {
        const decision = home.decide(nowMs, market, options.thresholdEur);
        if (decision.kind !== 'stay') track(execute(home, decision, nowMs));
      }
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
      announced = false;
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
    malformed,
    stats,
    onTick,
    idle: async () => {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    async start() {
      subscriptions.push(
        await subscribeValidated(client, TOPICS.timeAdvanced, timeAdvancedSchema, malformed, log, onTick),
        await subscribeValidated(client, TOPICS.reset, resetSchema, malformed, log, (r) =>
          onReset(r.new_start_time),
        ),
        await subscribeValidated(client, TOPICS.contractProposed, offerSchema, malformed, log, (offer) =>
          market.addOffer(offer),
        ),
        await subscribeValidated(client, TOPICS.spotPriceUpdated, spotPriceSchema, malformed, log, (q) =>
          market.setSpot(q.provider_id, { buy: q.buy_price, sell: q.sell_price }),
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
          reason: 'shutdown',
        });
      }
      await publisher.settle();
    },
  };
}
