/**
 * The `simulation` app (docs/domain.md, "The world"): publishes `time_advanced` every TICK_MS real ms
 * (also while paused) with the weather and day-ahead prices of the interval, and serves the clock's
 * control RPCs. Built apart from the process entry so tests drive it in-process with any GatewayClient.
 */
import { z } from 'zod';
import { GatewayError } from '../../gateway/client';
import type { GatewayClient, Registration, Subscription } from '../../gateway/client';
import {
  homeMeasuredSchema,
  PROCEDURES,
  setSpeedArgsSchema,
  TOPICS,
  type ClockStatus,
  type PayloadOf,
} from '../shared/contract';
import { envelope, isoTime, MalformedCounter, subscribeValidated } from '../shared/events';
import type { Logger } from '../shared/logger';
import { SimClock } from './model/clock';
import { World } from './model/world';

export interface SimulationAppOptions {
  speed: number;
  startMs: number;
  tickMs: number;
  /** Seeds the weather and the day-ahead noise (SIMULATION_SEED, default `cortexiq`). */
  seed?: string;
  log: Logger;
  /** Real-time source (tests inject a fake). */
  now?: () => number;
  /** Publish ticks on a timer (default true); tests may call `tick()` themselves. */
  autoTick?: boolean;
}

export interface SimulationApp {
  readonly clock: SimClock;
  readonly world: World;
  readonly malformed: MalformedCounter;
  start(): Promise<void>;
  /** Publishes one `time_advanced` now. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

type RpcResult = ClockStatus;

const noArgs = z.union([z.undefined(), z.null(), z.strictObject({}), z.array(z.unknown()).length(0)]);

export function createSimulationApp(options: SimulationAppOptions, client: GatewayClient): SimulationApp {
  const { log } = options;
  const clock = new SimClock(options.startMs, options.speed, options.now);
  const world = new World(options.seed ?? 'cortexiq');
  const malformed = new MalformedCounter();
  /** Latest grid power per home (W, + import): the market's net-demand term. */
  const gridPower = new Map<string, number>();
  const registrations: Registration[] = [];
  const subscriptions: Subscription[] = [];
  let timer: NodeJS.Timeout | undefined;

  const result = (success: boolean, message: string): RpcResult => ({ success, message, ...clock.state() });

  const publish = async <T extends typeof TOPICS.stateChanged | typeof TOPICS.reset>(
    topic: T,
    payload: PayloadOf<T>,
  ): Promise<void> => {
    await client.publish(topic, envelope(clock.simMs(), payload)).catch((err: unknown) => {
      log.warn({ err, topic }, 'publish failed');
    });
  };

  const stateChanged = (change_type: 'paused' | 'resumed' | 'speed_changed') =>
    publish(TOPICS.stateChanged, { change_type, speed: clock.speed, paused: clock.paused });

  const checkNoArgs = (args: unknown, procedure: string): void => {
    if (!noArgs.safeParse(args).success)
      throw new GatewayError('invalid_argument', `${procedure} takes no arguments`);
  };

  const netDemandPerHomeKw = (): number | null => {
    if (gridPower.size === 0) return null;
    let w = 0;
    for (const p of gridPower.values()) w += p;
    return w / gridPower.size / 1000;
  };

  const tick = async (): Promise<void> => {
    const t = clock.tick();
    world.netDemandPerHomeKw = netDemandPerHomeKw();
    const payload: PayloadOf<typeof TOPICS.timeAdvanced> = {
      previous_simulation_time: isoTime(t.previousSimMs),
      speed: clock.speed,
      paused: clock.paused,
      tick: t.tick,
      ...world.slice(t.previousSimMs, t.simMs),
    };
    await client
      .publish(TOPICS.timeAdvanced, envelope(t.simMs, payload))
      .catch((err: unknown) => log.warn({ err }, 'tick publish failed'));
  };

  const handlers: Record<string, (args: unknown) => Promise<RpcResult>> = {
    [PROCEDURES.pause]: async (args) => {
      checkNoArgs(args, 'pause');
      if (!clock.pause()) return result(true, 'already paused');
      await stateChanged('paused');
      return result(true, 'paused');
    },
    [PROCEDURES.resume]: async (args) => {
      checkNoArgs(args, 'resume');
      if (!clock.resume()) return result(true, 'already running');
      await stateChanged('resumed');
      return result(true, 'resumed');
    },
    [PROCEDURES.setSpeed]: async (args) => {
      const parsed = setSpeedArgsSchema.safeParse(args);
      if (!parsed.success) {
        throw new GatewayError('invalid_argument', parsed.error.issues[0]?.message ?? 'expected {speed}');
      }
      clock.setSpeed(parsed.data.speed);
      await stateChanged('speed_changed');
      return result(true, `speed set to ${parsed.data.speed}`);
    },
    [PROCEDURES.reset]: async (args) => {
      checkNoArgs(args, 'reset');
      clock.reset();
      world.reset();
      gridPower.clear();
      await publish(TOPICS.reset, { new_start_time: isoTime(options.startMs) });
      return result(true, `reset to ${isoTime(options.startMs)}`);
    },
    [PROCEDURES.status]: async (args) => {
      checkNoArgs(args, 'status');
      return result(true, clock.paused ? 'paused' : 'running');
    },
  };

  return {
    clock,
    world,
    malformed,
    tick,
    async start() {
      subscriptions.push(
        await subscribeValidated(client, TOPICS.homeMeasured, homeMeasuredSchema, malformed, log, (m) => {
          gridPower.set(m.home_id, m.power_w);
        }),
      );
      for (const [procedure, handler] of Object.entries(handlers)) {
        registrations.push(await client.register(procedure, (args) => handler(args)));
      }
      if (options.autoTick !== false) {
        timer = setInterval(() => void tick(), options.tickMs);
      }
      log.info({ ...clock.state(), tick_ms: options.tickMs }, 'simulation clock started');
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.all(subscriptions.splice(0).map((s) => s.unsubscribe().catch(() => undefined)));
      await Promise.all(registrations.splice(0).map((r) => r.unregister().catch(() => undefined)));
    },
  };
}
