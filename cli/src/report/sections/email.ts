/** Email: the funnel and its rates, bounce and complaint rates against SES's thresholds, domains. */
import { sumColumn, weightedRate, weightedRateBy } from '../aggregate';
import { asPercent, daySeries, funnel, thresholdAxis, valueAxis, type ThresholdLine } from '../charts';
import type { ResultRow } from '../../../../queries/src/types';
import type { ChartSpec, ReportData, Section } from '../types';

/**
 * Amazon SES's reputation thresholds (SES Developer Guide, "Reputation metrics messages"): at a
 * bounce rate of 5% or a complaint rate of 0.1% the account is in warning and may be reviewed; at
 * 10% or 0.5% it is under review and sending may be paused. email_reputation uses the same values.
 */
export const SES_BOUNCE_LINES: ThresholdLine[] = [
  { label: 'warning 5%', value: 5, color: '#d48806' },
  { label: 'review 10%', value: 10, color: '#cf1322' },
];
export const SES_COMPLAINT_LINES: ThresholdLine[] = [
  { label: 'warning 0.1%', value: 0.1, color: '#d48806' },
  { label: 'review 0.5%', value: 0.5, color: '#cf1322' },
];

/** One of email_reputation's daily rates, in percent, against SES's lines for it. */
function reputationChart(
  rows: ResultRow[],
  rate: 'bounce_rate' | 'complaint_rate',
  lines: ThresholdLine[],
): ChartSpec {
  const name = rate.replace('_', ' ');
  const data = rows.map((row) => asPercent(row[rate] === null ? null : Number(row[rate])));
  return {
    id: rate.replace('_', '-'),
    title: `${name[0].toUpperCase()}${name.slice(1)} per day, with SES’s warning and review lines`,
    source: 'email_reputation',
    option: rows.length
      ? daySeries(
          rows.map((row) => String(row.dt)),
          [{ name, data }],
          [thresholdAxis(name, lines, data)],
          lines,
        )
      : null,
  };
}

export function emailSection(data: ReportData): Section {
  const { email_funnel: funnelRows, email_reputation: reputation, recipient_domains: domains } = data.rows;
  const steps: [string, number][] = [
    ['sent', sumColumn(funnelRows, 'sent')],
    ['delivered', sumColumn(funnelRows, 'delivered')],
    ['opened', sumColumn(funnelRows, 'opened')],
    ['clicked', sumColumn(funnelRows, 'clicked')],
  ];
  const rates = (
    [
      ['delivery rate', 'delivery_rate', 'sent'],
      ['open rate', 'open_rate', 'delivered'],
      ['click rate', 'click_rate', 'delivered'],
    ] as const
  ).map(([label, rate, weight]) => ({
    label,
    rate,
    weight,
    byDay: weightedRateBy(funnelRows, 'dt', rate, weight),
  }));
  return {
    id: 'email',
    title: 'Email',
    intro:
      'Pinpoint and SES email in one funnel; bounce and complaint rates against the thresholds at which SES warns and reviews an account.',
    empty: [funnelRows, reputation, domains].every((rows) => rows.length === 0),
    keyNumbers: [
      ...steps.map(([step, value]) => ({
        key: `email.${step}`,
        label: `messages ${step}`,
        value,
        format: 'count' as const,
      })),
      ...rates.map(({ label, rate, weight }) => ({
        key: `email.${rate}`,
        label,
        value: weightedRate(funnelRows, rate, weight),
        format: 'percent' as const,
      })),
      {
        key: 'email.bounce_rate',
        label: 'bounce rate (hard bounces / sent)',
        value: weightedRate(reputation, 'bounce_rate', 'sent'),
        format: 'percent',
      },
      {
        key: 'email.complaint_rate',
        label: 'complaint rate',
        value: weightedRate(reputation, 'complaint_rate', 'sent'),
        format: 'percent',
      },
    ],
    charts: [
      {
        id: 'email-funnel',
        title: 'Funnel: messages sent, delivered, opened, clicked',
        source: 'email_funnel',
        option: funnelRows.length ? funnel(steps) : null,
      },
      {
        id: 'email-rates',
        title: 'Delivery, open and click rates per day',
        source: 'email_funnel',
        option: funnelRows.length
          ? daySeries(
              rates[0].byDay.keys,
              rates.map(({ label, byDay }) => ({ name: label, data: byDay.rates.map(asPercent) })),
              [valueAxis('rate', true)],
            )
          : null,
      },
      reputationChart(reputation, 'bounce_rate', SES_BOUNCE_LINES),
      reputationChart(reputation, 'complaint_rate', SES_COMPLAINT_LINES),
    ],
    tables: [
      {
        id: 'recipient-domains',
        title: 'Deliverability by recipient domain',
        source: 'recipient_domains',
        columns: [
          { name: 'domain', label: 'domain' },
          { name: 'sent', label: 'sent', format: 'count' },
          { name: 'delivered', label: 'delivered', format: 'count' },
          { name: 'hard_bounces', label: 'hard bounces', format: 'count' },
          { name: 'complaints', label: 'complaints', format: 'count' },
          { name: 'delivery_rate', label: 'delivery rate', format: 'percent' },
          { name: 'bounce_rate', label: 'bounce rate', format: 'percent' },
          { name: 'complaint_rate', label: 'complaint rate', format: 'percent' },
        ],
        rows: domains,
      },
    ],
    notes: [
      'Period rates are the query’s daily rates weighted by their denominators (sent, or delivered).',
      'SES measures its rates over a representative volume, not per day: a single day over a line is a signal to look, not SES’s verdict.',
    ],
  };
}
