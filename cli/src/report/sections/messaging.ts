/** SMS and voice: delivery rate and spend by country and day (sms_delivery, voice_delivery). */
import type { ResultRow } from '../../../../queries/src/types';
import { largest, pivot, sumBy, sumColumn, weightedRate, weightedRateBy } from '../aggregate';
import { asPercent, daySeries, horizontalBars, stackedBars, valueAxis } from '../charts';
import type { ReportData, Section, TableSpec } from '../types';

/** Countries drawn one by one in the spend-per-day charts; the rest are listed in the tables. */
const TOP_COUNTRIES = 8;

/** One row per country: the count columns summed, the rate weighted by its denominator, the spend. */
function byCountry(
  rows: readonly ResultRow[],
  spec: { id: string; title: string; source: string; total: string; done: string; doneLabel: string },
): TableSpec {
  const rates = weightedRateBy(rows, 'country', 'delivery_rate', spec.total);
  return {
    id: spec.id,
    title: spec.title,
    source: spec.source,
    columns: [
      { name: 'country', label: 'country' },
      { name: spec.total, label: spec.total, format: 'count' },
      { name: spec.done, label: spec.doneLabel, format: 'count' },
      { name: 'delivery_rate', label: 'delivery rate', format: 'percent' },
      { name: 'spend_usd', label: 'spend (USD)', format: 'usd' },
    ],
    rows: rates.keys.map((country, index) => {
      const own = rows.filter((row) => String(row.country) === country);
      return {
        country,
        [spec.total]: sumColumn(own, spec.total),
        [spec.done]: sumColumn(own, spec.done),
        delivery_rate: rates.rates[index],
        spend_usd: sumColumn(own, 'spend_usd'),
      };
    }),
  };
}

/** Spend per day, stacked by the countries with the most spend. */
function spendByDay(rows: readonly ResultRow[]): Record<string, unknown> | null {
  const top = new Set(
    largest(sumBy(rows, 'country', 'spend_usd'), TOP_COUNTRIES).map(([country]) => country),
  );
  return rows.length
    ? stackedBars(
        pivot(
          rows.filter((row) => top.has(String(row.country))),
          'dt',
          'country',
          'spend_usd',
        ),
        'USD',
      )
    : null;
}

/** Delivery rate per day, each day's rate weighted by its messages or calls. */
function rateByDay(rows: readonly ResultRow[], weight: string): Record<string, unknown> | null {
  const byDay = weightedRateBy(rows, 'dt', 'delivery_rate', weight);
  return rows.length
    ? daySeries(
        byDay.keys,
        [{ name: 'delivery rate', data: byDay.rates.map(asPercent) }],
        [valueAxis('delivery rate', true)],
      )
    : null;
}

export function messagingSection(data: ReportData): Section {
  const sms = data.rows.sms_delivery;
  const voice = data.rows.voice_delivery;
  const spend = largest(sumBy(sms, 'country', 'spend_usd'), TOP_COUNTRIES);
  return {
    id: 'messaging',
    title: 'SMS and voice',
    intro:
      'SMS from Pinpoint and End User Messaging, and voice calls from End User Messaging: delivery rate and spend by country and day.',
    empty: sms.length === 0 && voice.length === 0,
    keyNumbers: [
      { key: 'sms.messages', label: 'SMS messages', value: sumColumn(sms, 'messages'), format: 'count' },
      {
        key: 'sms.delivery_rate',
        label: 'SMS delivery rate',
        value: weightedRate(sms, 'delivery_rate', 'messages'),
        format: 'percent',
      },
      { key: 'sms.spend_usd', label: 'SMS spend', value: sumColumn(sms, 'spend_usd'), format: 'usd' },
      { key: 'voice.calls', label: 'voice calls', value: sumColumn(voice, 'calls'), format: 'count' },
      {
        key: 'voice.delivery_rate',
        label: 'voice delivery rate',
        value: weightedRate(voice, 'delivery_rate', 'calls'),
        format: 'percent',
      },
      { key: 'voice.spend_usd', label: 'voice spend', value: sumColumn(voice, 'spend_usd'), format: 'usd' },
    ],
    charts: [
      {
        id: 'sms-delivery-rate',
        title: 'SMS delivery rate per day',
        source: 'sms_delivery',
        option: rateByDay(sms, 'messages'),
      },
      {
        id: 'sms-spend-by-country',
        title: 'SMS spend by country (USD)',
        source: 'sms_delivery',
        option: spend.length
          ? horizontalBars(
              spend.map(([c, usd]) => [c, Math.round(usd * 100) / 100]),
              'USD',
            )
          : null,
      },
      {
        id: 'sms-spend-by-day',
        title: 'SMS spend per day by country (USD)',
        source: 'sms_delivery',
        option: spendByDay(sms),
      },
      {
        id: 'voice-delivery-rate',
        title: 'Voice delivery rate per day (answered or completed calls)',
        source: 'voice_delivery',
        option: rateByDay(voice, 'calls'),
      },
      {
        id: 'voice-spend-by-day',
        title: 'Voice spend per day by country (USD)',
        source: 'voice_delivery',
        option: spendByDay(voice),
      },
    ],
    tables: [
      byCountry(sms, {
        id: 'sms-countries',
        title: 'SMS by country',
        source: 'sms_delivery',
        total: 'messages',
        done: 'delivered',
        doneLabel: 'delivered',
      }),
      byCountry(voice, {
        id: 'voice-countries',
        title: 'Voice calls by country',
        source: 'voice_delivery',
        total: 'calls',
        done: 'completed',
        doneLabel: 'completed',
      }),
    ],
    notes: [
      `The spend-per-day charts draw the ${TOP_COUNTRIES} countries with the most spend; the tables have every country.`,
      'A voice call counts as delivered when it was answered or completed; its spend is the price End User Messaging reports for it.',
    ],
  };
}
