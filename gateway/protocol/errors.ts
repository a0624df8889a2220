/**
 * Stable error codes (docs/protocol.md §2 (error codes)) and the one error class that carries them, used by the gateway,
 * the client library and every app. Messages are for humans; codes are the contract.
 */
export const ERROR_CODES = [
  'no_such_procedure',
  'invalid_argument',
  'not_found',
  'already_exists',
  'timeout',
  'unavailable',
  'internal',
  // Session-level codes used in `abort` and connection errors.
  'unauthorized',
  'no_such_realm',
  'protocol_error',
  'frame_too_large',
  'limit_exceeded',
  'closed',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}
