/**
 * The cross-region switch scenario of issue 4, shared by the in-memory test and the real-gateway test:
 * homes of Antwerp start on an expensive Antwerp provider; a cheap Brabant provider then makes an offer;
 * at their monthly review (within 30 simulated days, about 25 ticks at 29 h per tick) the homes switch
 * to it through accept_offer and publish `contract.switched`.
 */
import type { GatewayClient } from '../../gateway/client/types';
import { createHomesApp, type HomesApp } from '../../apps/homes/app';
import { createSimulationApp, type SimulationApp } from '../../apps/simulation/app';
import { createUtilitiesApp, type UtilitiesApp } from '../../apps/utilities/app';
import { resolveDefinition } from '../../apps/utilities/catalogue';
import { createLogger } from '../../apps/shared/logger';
import { generateHomes } from '../../apps/homes/model/generate-homes';
import { loadNetworkTariffs } from '../../apps/homes/network-tariffs';

export const START = Date.parse('2025-03-01T00:00:00Z');
export const SPEED = 105_120;
/** Enough ticks for every home's first monthly review (30 days at 29.2 h per tick, and a margin). */
export const REVIEW_TICKS = 30;

export interface ScenarioClients {
  simulation: GatewayClient;
  homes: GatewayClient;
  antwerp: GatewayClient;
  brabant: GatewayClient;
  observer: GatewayClient;
}

export interface Scenario {
  sim: SimulationApp;
  homes: HomesApp;
  antwerp: UtilitiesApp;
  brabant: UtilitiesApp;
  events: { topic: string; payload: Record<string, unknown> }[];
  of(topic: string): Record<string, unknown>[];
  /** Publishes one tick (advancing the fake real clock by one second) and waits for `settle`. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

const log = createLogger('scenario');

export const pricey = resolveDefinition({
  id: 'pricey',
  name: 'Pricey Power',
  region: 'antwerp',
  strategy: 'steady_eddie',
  day_buy_price: 0.4,
  night_buy_price: 0.35,
  day_sell_price: 0.01,
  night_sell_price: 0.01,
});

export const bargain = resolveDefinition({
  id: 'bargain',
  name: 'Bargain Brabant',
  region: 'brabant',
  strategy: 'steady_eddie',
  day_buy_price: 0.12,
  night_buy_price: 0.09,
  day_sell_price: 0.1,
  night_sell_price: 0.08,
  switching_discount: 20,
});

export async function startScenario(
  clients: ScenarioClients,
  settle: (s: Scenario, tick: number) => Promise<void>,
): Promise<Scenario> {
  let real = 0;
  const events: Scenario['events'] = [];
  await clients.observer.subscribe('be.cortexiq.>', (payload, meta) => {
    events.push({ topic: meta.topic, payload: payload as Record<string, unknown> });
  });
  const sim = createSimulationApp(
    { speed: SPEED, startMs: START, tickMs: 1000, log, now: () => real, autoTick: false },
    clients.simulation,
  );
  const antwerp = createUtilitiesApp(
    { region: 'antwerp', providers: [pricey], seed: 't', log },
    clients.antwerp,
  );
  const brabant = createUtilitiesApp(
    { region: 'brabant', providers: [bargain], seed: 't', log },
    clients.brabant,
  );
  const homes = createHomesApp(
    {
      region: 'antwerp',
      homes: generateHomes('antwerp', 3),
      tariff: loadNetworkTariffs().antwerp,
      thresholdEur: 50,
      // Every home acts on its first review: the scenario checks the mechanics, not the inertia.
      propensity: 1,
      seed: 't',
      log,
    },
    clients.homes,
  );
  let ticks = 0;
  const scenario: Scenario = {
    sim,
    homes,
    antwerp,
    brabant,
    events,
    of: (topic) => events.filter((e) => e.topic === topic).map((e) => e.payload),
    async tick() {
      real += 1000;
      await sim.tick();
      await settle(scenario, ++ticks);
    },
    async stop() {
      await Promise.all([sim.stop(), homes.stop(), antwerp.stop(), brabant.stop()]);
    },
  };
  await sim.start();
  await antwerp.start();
  await homes.start();
  return scenario;
}
