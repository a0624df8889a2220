/**
 * Providers and the prices homes pay and get (docs/domain.md, "Providers" and "What a home pays"):
 * injection never pays more than the energy price at any hour, whatever the terms, the day-ahead
 * price or the months of margin moves; the monthly move is 1–2 % toward the share target, with floors;
 * offers once per 12 hours, and only the latest is accepted.
 */
import fc from 'fast-check';
import { offerPrices, type Offer, type ProviderHour } from '../../apps/homes/model/contract';
import { createRng } from '../../apps/shared/rng';
import { localMonth } from '../../apps/shared/world/brussels-time';
import { isDayTariff } from '../../apps/shared/world/tariff-window';
import type { ProviderDefinition } from '../../apps/utilities/catalogue';
import {
  dynamicHour,
  energyPrice,
  makeOffer,
  MIN_MARGIN,
  MIN_MARKUP,
  reactToShare,
  WHOLESALE_REFERENCE,
} from '../../apps/utilities/model/pricing';
import { PRESETS, STRATEGIES, type Terms } from '../../apps/utilities/model/strategies';
import { OFFER_PERIOD_MS, Provider } from '../../apps/utilities/provider';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const price = fc.double({ min: -0.1, max: 0.6, noNaN: true });
const nonNegative = fc.double({ min: 0, max: 0.5, noNaN: true });

const offerBase = {
  offer_id: 'o1',
  provider_id: 'p',
  provider_name: 'P',
  strategy: 'steady_eddie' as const,
  region: 'antwerp' as const,
  duration_months: 12,
  fixed_fee_per_year: 50,
  switching_discount: 0,
  minimum_monthly_kwh: 0,
  valid_from: '2025-01-01T00:00:00.000Z',
};

/** Any offer the contract schema accepts, including static terms that pay more for injection. */
const offerArb: fc.Arbitrary<Offer> = fc.oneof(
  fc
    .record({ day: nonNegative, night: nonNegative, daySell: nonNegative, nightSell: nonNegative })
    .map((p): Offer => ({
      ...offerBase,
      contract_type: 'static',
      day_buy_price: p.day,
      night_buy_price: p.night,
      day_sell_price: p.daySell,
      night_sell_price: p.nightSell,
    })),
  fc.record({ markup: nonNegative, markdown: nonNegative }).map((p): Offer => ({
    ...offerBase,
    contract_type: 'dynamic',
    buy_markup: p.markup,
    sell_markdown: p.markdown,
  })),
);

/** Terms of any strategy preset with any prices a catalogue entry may set. */
const termsArb: fc.Arbitrary<Terms> = fc
  .record({
    strategy: fc.constantFrom(...STRATEGIES),
    day: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
    night: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
    daySell: fc.double({ min: 0, max: 0.3, noNaN: true }),
    nightSell: fc.double({ min: 0, max: 0.3, noNaN: true }),
    markup: fc.double({ min: 0, max: 0.05, noNaN: true }),
    markdown: fc.double({ min: 0, max: 0.05, noNaN: true }),
    dynamicShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((t) => ({
    ...PRESETS[t.strategy],
    day_buy_price: t.day,
    night_buy_price: t.night,
    day_sell_price: t.daySell,
    night_sell_price: t.nightSell,
    buy_markup: t.markup,
    sell_markdown: t.markdown,
    dynamic_share: t.dynamicShare,
  }));

describe('offerPrices: injection never above the energy price', () => {
  it('holds for static, dynamic and no contract, with or without published hours (property)', () => {
    fc.assert(
      fc.property(
        fc.option(offerArb),
        fc.boolean(),
        price,
        fc.option(fc.record({ buy: price, sell: price })),
        (offer, isDay, dayAhead, published) => {
          const p = offerPrices(offer, isDay, dayAhead, published ?? undefined);
          expect(p.export).toBeLessThanOrEqual(p.energy);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('applies the terms: registers for static, published or day-ahead ± margins for dynamic', () => {
    const s: Offer = {
      ...offerBase,
      contract_type: 'static',
      day_buy_price: 0.13,
      night_buy_price: 0.09,
      day_sell_price: 0.04,
      night_sell_price: 0.12, // above the night energy price: capped
    };
    expect(offerPrices(s, true, 0.5)).toEqual({ energy: 0.13, export: 0.04 });
    expect(offerPrices(s, false, 0.5)).toEqual({ energy: 0.09, export: 0.09 });
    const d: Offer = { ...offerBase, contract_type: 'dynamic', buy_markup: 0.02, sell_markdown: 0.015 };
    expect(offerPrices(d, true, -0.05)).toEqual({
      energy: expect.closeTo(-0.03, 12),
      export: expect.closeTo(-0.065, 12),
    });
    const published: ProviderHour = { buy: 0.11, sell: 0.07 };
    expect(offerPrices(d, false, 0.5, published)).toEqual({ energy: 0.11, export: 0.07 });
    // No contract: day-ahead ± the default 0.03.
    expect(offerPrices(null, true, 0.1)).toEqual({
      energy: expect.closeTo(0.13, 12),
      export: expect.closeTo(0.07, 12),
    });
  });

  it('dynamicHour never sells above what it buys for, at negative prices too (property)', () => {
    fc.assert(
      fc.property(price, nonNegative, nonNegative, (dayAhead, markup, markdown) => {
        const h = dynamicHour(dayAhead, markup, markdown);
        expect(h.sell_price).toBeLessThanOrEqual(h.buy_price);
        expect(h.buy_price).toBeCloseTo(dayAhead + markup, 5);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('monthly margin move', () => {
  it('moves by 1–2 % toward the target, none within ±10 % of it (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (factor, share, target) => {
          const ratio = reactToShare(factor, share, target) / factor;
          const gap = (share - target) / target;
          if (Math.abs(gap) <= 0.1) expect(ratio).toBe(1);
          else if (gap > 0) {
            expect(ratio).toBeGreaterThanOrEqual(1.01 - 1e-12);
            expect(ratio).toBeLessThanOrEqual(1.02 + 1e-12);
          } else {
            expect(ratio).toBeGreaterThanOrEqual(0.98 - 1e-12);
            expect(ratio).toBeLessThanOrEqual(0.99 + 1e-12);
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(reactToShare(1, 0, 0.2)).toBeCloseTo(0.98, 12);
    expect(reactToShare(1, 0.8, 0.2)).toBeCloseTo(1.02, 12);
  });

  it("keeps the energy price above the month's mean day-ahead price plus the minimum margin", () => {
    expect(energyPrice(0.12, 1, 0.05)).toBeCloseTo(0.12, 12);
    expect(energyPrice(0.12, 0.5, 0.05)).toBeCloseTo(WHOLESALE_REFERENCE + 0.02, 12);
    expect(energyPrice(0.12, 0.1, 0.09)).toBeCloseTo(0.09 + MIN_MARGIN, 12);
  });

  it('makes offers whose injection stays under the energy price and whose markup keeps its floor', () => {
    const rng = createRng('offers');
    for (let i = 0; i < 200; i++) {
      const offer = makeOffer({
        offerId: `o${i}`,
        providerId: 'p',
        providerName: 'P',
        strategy: 'solar_surfer',
        region: 'antwerp',
        terms: { ...PRESETS.solar_surfer, day_sell_price: 0.5, night_sell_price: 0.5, dynamic_share: 0.5 },
        factor: 0.05,
        monthMeanDayAhead: 0.09,
        validFromMs: T0,
        rng,
      });
      if (offer.contract_type === 'static') {
        expect(offer.day_sell_price).toBeLessThanOrEqual(offer.day_buy_price);
        expect(offer.night_sell_price).toBeLessThanOrEqual(offer.night_buy_price);
        expect(offer.night_buy_price).toBeCloseTo(0.09 + MIN_MARGIN, 5);
      } else {
        expect(offer.buy_markup).toBe(MIN_MARKUP);
      }
    }
  });
});

const definition = (terms: Terms, id = 'prov'): ProviderDefinition => ({
  id,
  name: 'Provider',
  region: 'antwerp',
  strategy: 'steady_eddie',
  terms,
});

describe('Provider over many simulated months', () => {
  it('never offers injection above the energy price at any hour, after any monthly reactions (property)', () => {
    fc.assert(
      fc.property(
        termsArb,
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), {
          minLength: 30,
          maxLength: 30,
        }),
        fc.integer(),
        fc.integer({ min: 0, max: 364 }),
        (terms, months, shares, priceSeed, startDay) => {
          const provider = new Provider(definition(terms), `seed-${priceSeed}`);
          const prices = createRng(priceSeed);
          const start = T0 + startDay * 24 * HOUR;
          const end = start + months * 30 * 24 * HOUR;
          let problem: string | null = null;
          let lastFactor = provider.factor;
          const movedIn = new Set<string>();
          for (let t = start, period = 0; t < end; t += OFFER_PERIOD_MS, period++) {
            const hours = Array.from({ length: 12 }, (_, h) => ({
              hour: new Date(t + h * HOUR).toISOString(),
              eur_per_kwh: Math.round((prices.next() * 0.7 - 0.1) * 1e5) / 1e5,
            }));
            const published = provider.priceHours(hours);
            const monthIndex = Math.floor((period * OFFER_PERIOD_MS) / (30 * 24 * HOUR));
            const offer = provider.maybeOffer(t, shares[monthIndex], 5);
            if (!offer) {
              problem ??= `no offer at the start of period ${period}`;
              continue;
            }
            // The margin moves at most once per local month, by 1–2 %.
            const ratio = provider.factor / lastFactor;
            if (ratio !== 1) {
              const step = Math.abs(ratio - 1);
              if (step < 0.01 - 1e-12 || step > 0.02 + 1e-12) problem ??= `margin step ${step}`;
              if (movedIn.has(localMonth(t))) problem ??= `second move in ${localMonth(t)}`;
              movedIn.add(localMonth(t));
            }
            lastFactor = provider.factor;
            hours.forEach((h, i) => {
              const hourMs = Date.parse(h.hour);
              const quote = { buy: published[i].buy_price, sell: published[i].sell_price };
              if (quote.sell > quote.buy) problem ??= `published sell above buy at ${h.hour}`;
              const p = offerPrices(offer, isDayTariff(hourMs), h.eur_per_kwh, quote);
              const q = offerPrices(offer, isDayTariff(hourMs), h.eur_per_kwh);
              if (p.export > p.energy || q.export > q.energy)
                problem ??= `injection above energy at ${h.hour}`;
            });
            if (offer.contract_type === 'static') {
              if (
                offer.day_sell_price > offer.day_buy_price ||
                offer.night_sell_price > offer.night_buy_price
              )
                problem ??= `static offer ${offer.offer_id} pays injection above energy`;
              const floor = provider.monthMeanDayAhead() + MIN_MARGIN - 1e-5;
              if (offer.day_buy_price < floor || offer.night_buy_price < floor)
                problem ??= `static offer ${offer.offer_id} under the month's floor`;
            } else if (offer.buy_markup < MIN_MARKUP)
              problem ??= `markup ${offer.buy_markup} under the floor`;
          }
          expect(problem).toBeNull();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('lowers its margin month after month without customers, and raises it when above target', () => {
    const lonely = new Provider(definition(PRESETS.steady_eddie), 's');
    const popular = new Provider(definition(PRESETS.steady_eddie), 's');
    for (let m = 0; m < 6; m++) {
      const t = Date.UTC(2025, m, 2);
      lonely.maybeOffer(t, 0, 5);
      popular.maybeOffer(t, 0.6, 5);
    }
    expect(lonely.factor).toBeCloseTo(0.98 ** 5, 12); // no move in the first month it sees
    expect(popular.factor).toBeCloseTo(1.02 ** 5, 12);
  });
});

describe('offers and accept_offer', () => {
  it('offers once per 12-hour period and accepts only the latest offer', () => {
    const p = new Provider(definition(PRESETS.steady_eddie), 'x');
    const o1 = p.maybeOffer(T0, null, 5);
    expect(o1).not.toBeNull();
    expect(p.maybeOffer(T0 + 11 * HOUR, null, 5)).toBeNull();
    const o2 = p.maybeOffer(T0 + 12 * HOUR, null, 5);
    expect(o2?.offer_id).not.toBe(o1?.offer_id);
    expect(p.accept('h1', o1!.offer_id, T0)).toEqual({ success: false, reason: 'offer_superseded' });
    const ok = p.accept('h1', o2!.offer_id, T0 + 13 * HOUR);
    expect(ok).toMatchObject({
      success: true,
      contract: { home_id: 'h1', startMs: T0 + 13 * HOUR, endMs: T0 + 13 * HOUR + 12 * 30 * 24 * HOUR },
    });
    expect(p.release('h1', 'another-contract')).toBe(false);
    expect(p.release('h1')).toBe(true);
    expect(p.contracts.size).toBe(0);
    expect(new Provider(definition(PRESETS.steady_eddie), 'x').accept('h', 'o', T0)).toEqual({
      success: false,
      reason: 'no_offer',
    });
  });

  it('draws static or dynamic offers by the strategy mix', () => {
    const kinds = (dynamicShare: number) => {
      const p = new Provider(definition({ ...PRESETS.peak_predator, dynamic_share: dynamicShare }), 'mix');
      return new Set(
        Array.from({ length: 40 }, (_, i) => p.maybeOffer(T0 + i * OFFER_PERIOD_MS, null, 5)?.contract_type),
      );
    };
    expect(kinds(0)).toEqual(new Set(['static']));
    expect(kinds(1)).toEqual(new Set(['dynamic']));
    expect(kinds(0.5)).toEqual(new Set(['static', 'dynamic']));
  });
});
