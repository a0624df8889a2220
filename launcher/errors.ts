/** Failures of the local launcher that the person at the terminal must read: one message, no stack. */
export class LaunchError extends Error {
  constructor(
    message: string,
    /** The process that failed, when one did (`be-antwerp/homes`). */
    readonly processName?: string,
  ) {
    super(message);
    this.name = 'LaunchError';
  }
}
