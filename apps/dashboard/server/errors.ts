/**
 * The JSON errors of the dashboard's API: `{error, message}` with a stable code and a message that
 * names the problem, never a stack or a gateway internal. RPC error codes (docs/domain.md, "Errors")
 * map to HTTP statuses here, in one place.
 */
import { GatewayError, type ErrorCode } from '../../../gateway/client';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_argument: 400,
  not_found: 404,
  already_exists: 409,
  no_such_procedure: 503,
  unavailable: 503,
  timeout: 504,
};

/** What an RPC failure means for the caller of the dashboard's API. */
export function fromRpcError(procedure: string, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof GatewayError) {
    const status = STATUS[err.code] ?? 502;
    const name = procedure.split('.').pop();
    if (err.code === 'no_such_procedure')
      return new ApiError(
        503,
        'unavailable',
        `${name}: the service answering it is not running (reconnecting)`,
      );
    if (err.code === 'timeout') return new ApiError(504, 'timeout', `${name}: no answer in time`);
    if (status === 502) return new ApiError(502, 'upstream_error', `${name} failed (${err.code})`);
    return new ApiError(status, err.code, err.message);
  }
  return new ApiError(502, 'upstream_error', `${procedure.split('.').pop()} failed`);
}

/** The first problem of a zod error as `field: message`. */
export function firstIssue(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const i = issues[0];
  if (!i) return 'invalid input';
  const where = i.path.map(String).join('.');
  return where && !i.message.startsWith(`${where}:`) ? `${where}: ${i.message}` : i.message;
}
