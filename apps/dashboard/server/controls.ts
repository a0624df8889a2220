/**
 * Simulation controls: POST /api/simulation/{pause,resume,reset,speed} call the clock's RPCs
 * (docs/domain.md, "The world") and answer with the clock's state; GET /api/simulation asks its
 * status. POSTs carry CSRF protection (server/csrf.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clockStatusSchema, PROCEDURES, setSpeedArgsSchema, type ClockStatus } from '../../shared/contract';
import { ApiError, firstIssue } from './errors';
import { checkedCall } from './queries';
import { originAllowed, type CsrfTokens } from './csrf';
import type { GatewayLink } from './gateway-link';

/** The speed presets of the controls (docs/dashboard.md, Controls; Max = a year in 5 min). */
export const SPEED_PRESETS = [1, 100, 1000, 10_000, 105_120] as const;

const emptyBody = z.union([z.undefined(), z.null(), z.strictObject({})], {
  message: 'expected no body or {}',
});

export interface ControlDeps {
  link: GatewayLink;
  csrf: CsrfTokens;
  publicHost: string;
  /** The clock answered: the page shows it before the state_changed event arrives. */
  answered: (status: ClockStatus) => void;
}

export function registerControls(app: FastifyInstance, d: ControlDeps): void {
  const guard = (req: FastifyRequest): void => {
    if (!originAllowed(req.headers.origin, req.headers.host, d.publicHost))
      throw new ApiError(403, 'forbidden', `cross-site request refused (Origin ${req.headers.origin})`);
    const header = req.headers['x-csrf-token'];
    const problem = d.csrf.problem(Array.isArray(header) ? header[0] : header);
    if (problem) throw new ApiError(403, 'csrf', problem);
  };

  const clock = async (procedure: string, args?: unknown): Promise<ClockStatus> => {
    const status = await checkedCall(d.link, procedure, args, clockStatusSchema, 'the clock');
    d.answered(status);
    return status;
  };

  app.get('/api/csrf', async () => ({ token: d.csrf.issue() }));
  app.get('/api/simulation', async () => clock(PROCEDURES.status));

  const simple = { pause: PROCEDURES.pause, resume: PROCEDURES.resume, reset: PROCEDURES.reset } as const;
  for (const [action, procedure] of Object.entries(simple)) {
    app.post(`/api/simulation/${action}`, async (req) => {
      guard(req);
      const body = emptyBody.safeParse(req.body);
      if (!body.success)
        throw new ApiError(400, 'invalid_argument', `${action}: ${firstIssue(body.error.issues)}`);
      return clock(procedure);
    });
  }

  app.post('/api/simulation/speed', async (req) => {
    guard(req);
    const body = setSpeedArgsSchema.safeParse(req.body);
    if (!body.success) {
      const missing = req.body === undefined || req.body === null;
      throw new ApiError(
        400,
        'invalid_argument',
        missing ? 'speed: expected a JSON body {"speed": n}' : firstIssue(body.error.issues),
      );
    }
    return clock(PROCEDURES.setSpeed, { speed: body.data.speed });
  });
}
