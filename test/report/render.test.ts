/** The pieces of the page: roll-ups of query rows, escaping, number formats and the HTML itself. */
import { pivot, sumBy, weightedRate, weightedRateBy } from '../../cli/src/report/aggregate';
import { escapeHtml, formatNumber, jsonForScript } from '../../cli/src/report/format';
import { renderReport } from '../../cli/src/report/html';
import { buildSections } from '../../cli/src/report/sections';
import { SES_BOUNCE_LINES, SES_COMPLAINT_LINES } from '../../cli/src/report/sections/email';
import { REPORT_QUERIES, type ReportData, type ReportQueryName } from '../../cli/src/report/types';
import type { ResultRow } from '../../queries/src/types';

const noRows = (): Record<ReportQueryName, ResultRow[]> =>
  Object.fromEntries(REPORT_QUERIES.map((name) => [name, []])) as unknown as Record<
    ReportQueryName,
    ResultRow[]
  >;
const data = (rows: Partial<Record<ReportQueryName, ResultRow[]>>): ReportData => ({
  start: '2026-11-01',
  end: '2026-11-30',
  source: 'test',
  rows: { ...noRows(), ...rows },
  failedRecords: [],
});
/** A stand-in for the 1 MB library, so a test can search the page. */
const LIBRARY = 'window.echarts = {};';

describe('roll-ups of query rows', () => {
  const rows = [
    { dt: '2026-11-02', family: 'sms', events: 5, rate: 0.5, sent: 10 },
    { dt: '2026-11-01', family: 'email', events: 3, rate: 1, sent: 30 },
    { dt: '2026-11-01', family: 'sms', events: 2, rate: null, sent: 99 },
  ];

  it('sums a column per key, and per (x, series) cell with days sorted and the largest series first', () => {
    expect([...sumBy(rows, 'family', 'events')]).toEqual([
      ['sms', 7],
      ['email', 3],
    ]);
    expect(pivot(rows, 'dt', 'family', 'events')).toEqual({
      x: ['2026-11-01', '2026-11-02'],
      series: [
        { name: 'sms', data: [2, 5] },
        { name: 'email', data: [3, 0] },
      ],
    });
  });

  it('weights each rate by its denominator and leaves out rows without a rate', () => {
    // (0.5 × 10 + 1 × 30) / 40
    expect(weightedRate(rows, 'rate', 'sent')).toBeCloseTo(35 / 40, 10);
    expect(weightedRate([], 'rate', 'sent')).toBeNull();
    expect(weightedRateBy(rows, 'dt', 'rate', 'sent')).toEqual({
      keys: ['2026-11-01', '2026-11-02'],
      rates: [1, 0.5],
    });
  });
});

describe('escaping and formats', () => {
  it('escapes text for HTML and JSON for a script element', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    const json = jsonForScript({ name: '</script><!-- \u2028' });
    expect(json).not.toMatch(/<|\u2028/);
    expect(JSON.parse(json)).toEqual({ name: '</script><!-- \u2028' });
  });

  it.each([
    [1234567, 'count', '1,234,567'],
    [0.05123, 'percent', '5.12%'],
    [12.5, 'usd', '$12.50'],
    [156.94, 'seconds', '156.9 s'],
    [null, 'count', '–'],
  ] as const)('formats %p as %s: %s', (value, format, text) => {
    expect(formatNumber(value, format)).toBe(text);
  });
});

describe('the page', () => {
  it('shows SES’s documented thresholds: bounce 5% and 10%, complaint 0.1% and 0.5%', () => {
    expect(SES_BOUNCE_LINES.map((l) => l.value)).toEqual([5, 10]);
    expect(SES_COMPLAINT_LINES.map((l) => l.value)).toEqual([0.1, 0.5]);
  });

  it('draws the threshold lines on the reputation charts', () => {
    // Arrange
    const sections = buildSections(
      data({ email_reputation: [{ dt: '2026-11-01', sent: 100, bounce_rate: 0.02, complaint_rate: 0.002 }] }),
    );
    // Act
    const bounce = sections.find((s) => s.id === 'email')!.charts.find((c) => c.id === 'bounce-rate')!;
    const series = (
      bounce.option!.series as { data: number[]; markLine: { data: { yAxis: number }[] } }[]
    )[0];
    // Assert: the rate drawn in percent, with a line at each threshold
    expect(series.data).toEqual([2]);
    expect(series.markLine.data.map((d) => d.yAxis)).toEqual([5, 10]);
  });

  it('writes data into HTML only escaped, and into the chart JSON without a way out of its script', () => {
    // Arrange
    const hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const report = data({
      campaign_performance: [{ campaign_id: hostile, treatment_id: '0', endpoints_sent: 1 }],
      top_custom_events: [{ event_type: hostile, events: 3, endpoints: 1 }],
      purchases: [{ dt: '2026-11-01', currency: `"><b>${hostile}`, revenue: 9.99 }],
    });
    // Act
    const html = renderReport(report, buildSections(report), new Date('2026-12-01T00:00:00Z'), LIBRARY);
    // Assert: the page's own three scripts only, and the hostile text as text
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html).not.toContain('<img');
    expect(html).toContain(
      '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;',
    );
    const options = JSON.parse(/id="chart-options">(.*?)<\/script>/s.exec(html)![1]);
    expect(options['top-custom-events'].yAxis.data).toEqual([hostile]);
  });

  it('says "no data" in every section of an empty result, and draws nothing', () => {
    // Act
    const html = renderReport(data({}), buildSections(data({})), new Date(), LIBRARY);
    // Assert
    expect(html.match(/No data for 2026-11-01 to 2026-11-30\./g)).toHaveLength(5);
    expect(html).not.toContain('data-chart=');
  });
});
