/** A failure of the namespaces' network or of a fault on it, meant for the person at the terminal. */
export class NetnsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetnsError';
  }
}
