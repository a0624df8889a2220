/**
 * The `simulation` app (domain.md §2): publishes `time_advanced` every TICK_MS real ms (also while
 * paused) and serves the clock's control RPCs. Built apart from the process entry so tests drive it
 * in-process with any GatewayClient.
 */
import { z } from 'zod';
import { GatewayError } from '../../gateway/protocol/errors';
import type { GatewayClient, Registration } from '../../gateway/client/types';
import { envelope, isoTime } from '../shared/events';
import type { Logger } from '../shared/logger';
import { PROCEDURES, TOPICS } from '../shared/topics';
import { MAX_SPEED, MIN_SPEED, SimClock, type ClockState } from './clock';

export interface SimulationAppOptions {
  speed: number;
  startMs: number;
  tickMs: number;
  log: Logger;
  /** Real-time source (tests inject a fake). */
  now?: () => number;
  /** Publish ticks on a timer (default true); tests may call `tick()` themselves. */
  autoTick?: boolean;
}

export interface SimulationApp {
  readonly clock: SimClock;
  start(): Promise<void>;
  /** Publishes one `time_advanced` now. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

type RpcResult = { success: boolean; message: string } & ClockState;

const setSpeedArgs = z.object({
  speed: z
    .number({ message: 'speed must be a number' })
    .int('speed must be an integer')
    .min(MIN_SPEED, `speed must be at least ${MIN_SPEED}`)
    .max(MAX_SPEED, `speed must be at most ${MAX_SPEED}`),
});
const noArgs = z.union([z.undefined(), z.null(), z.strictObject({}), z.array(z.unknown()).length(0)]);

export function createSimulationApp(options: SimulationAppOptions, client: GatewayClient): SimulationApp {
  const { log } = options;
  const clock = new SimClock(options.startMs, options.speed, options.now);
  const registrations: Registration[] = [];
  let timer: NodeJS.Timeout | undefined;

  const result = (success: boolean, message: string): RpcResult => ({ success, message, ...clock.state() });

  const publish = async (topic: string, payload: object): Promise<void> => {
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

  const tick = async (): Promise<void> => {
    const t = clock.tick();
    await client
      .publish(TOPICS.timeAdvanced, {
        event_id: envelope(t.simMs, {}).event_id,
        simulation_time: isoTime(t.simMs),
        previous_simulation_time: isoTime(t.previousSimMs),
        speed: clock.speed,
        paused: clock.paused,
        tick: t.tick,
      })
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
      const parsed = setSpeedArgs.safeParse(args);
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
    tick,
    async start() {
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
      await Promise.all(registrations.splice(0).map((r) => r.unregister().catch(() => undefined)));
    },
  };
}
