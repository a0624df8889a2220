/** Number and time formats of the pages (Belgian conventions: EUR, kW/MW, 24-hour Brussels time). */
const nf = (digits: number) =>
  new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const n0 = nf(0);
const n1 = nf(1);
const n2 = nf(2);
const n3 = nf(3);

export function power(w: number | null | undefined): string {
  if (w === null || w === undefined) return '–';
  const a = Math.abs(w);
  if (a >= 1e6) return `${n2.format(w / 1e6)} MW`;
  if (a >= 1e3) return `${n1.format(w / 1e3)} kW`;
  return `${n0.format(w)} W`;
}
export const eur = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `€ ${n2.format(v)}`;
export const kwh = (v: number | null | undefined) =>
  v === null || v === undefined
    ? '–'
    : Math.abs(v) >= 1e4
      ? `${n1.format(v / 1e3)} MWh`
      : `${n1.format(v)} kWh`;
export const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `${n1.format(v)} %`;
export const int = (v: number | null | undefined) => (v === null || v === undefined ? '–' : n0.format(v));
export const priceKwh = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `€ ${n3.format(v)}/kWh`;
export const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `${n1.format(v)} ms`;

const brussels = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Brussels',
  weekday: 'short',
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
export const simTime = (iso: string | null | undefined) => (iso ? brussels.format(new Date(iso)) : '–');

export function speed(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v === 105_120) return 'Max (105,120×)';
  return v >= 1000 && v % 1000 === 0 ? `${v / 1000}K×` : `${n0.format(v)}×`;
}
