/**
 * EAN-18 meter identifiers (GS1 GSRN-style, mod-10 check digit), as printed on Belgian meters.
 * Belgian electricity access points start with 541449 (docs/domain.md, "Homes").
 */
export const BELGIAN_ELECTRICITY_EAN_PREFIX = '541449';

/** GS1 mod-10 check digit for the 17 digits before it: weights 3,1,3,1,… from the right. */
export function gs1CheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new Error(`EAN body must be digits, got '${body}'`);
  let sum = 0;
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) {
    sum += (body.charCodeAt(i) - 48) * w;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidEan18(ean: string): boolean {
  return /^\d{18}$/.test(ean) && gs1CheckDigit(ean.slice(0, 17)) === Number(ean[17]);
}

/** Builds an EAN-18 from a prefix and a serial number padded to 17 digits, adding the check digit. */
export function makeEan18(prefix: string, serial: number): string {
  const body = prefix + String(serial).padStart(17 - prefix.length, '0');
  if (body.length !== 17) throw new Error(`serial ${serial} does not fit after prefix ${prefix}`);
  return body + String(gs1CheckDigit(body));
}
