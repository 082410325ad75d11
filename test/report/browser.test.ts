/**
 * The report in a real browser (Debian's Chromium, headless): it loads nothing from the network,
 * logs no error, draws every chart, shows the saved queries' numbers, keeps hostile data inert,
 * and sorts its tables. Leaves a screenshot in test-artifacts/ (git-ignored) to look at.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { runReport } from '../../cli/src/commands/report';
import type { ResultRow } from '../../queries/src/types';
import { loadSavedQueries } from '../../queries/src/catalog';
import { openLocalLake } from '../../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../../queries/src/params';
import { launchChromium } from './browser';
import { buildReportLake, HOSTILE_CAMPAIGN_ID, HOSTILE_EVENT_TYPE, NOW, RANGE } from './lake-fixture';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const sum = (rows: ResultRow[], column: string): number =>
  rows.reduce((s, row) => s + Number(row[column] ?? 0), 0);

/** The page's globals, as code run inside the page sees them (these tests compile without DOM types). */
interface PageGlobals {
  echarts: { getInstanceByDom(node: unknown): { getOption(): { yAxis: { data: string[] }[] } } | undefined };
  __pwned?: string;
}

/** Error documents in the lake's error output, one a line (all arrived inside RANGE). */
function errorDocuments(lake: string): number {
  const folder = join(lake, 'errors', 'processing-failed');
  return readdirSync(folder, { recursive: true })
    .filter((f) => String(f).endsWith('.ndjson'))
    .reduce(
      (n, f) =>
        n +
        readFileSync(join(folder, String(f)), 'utf8')
          .trim()
          .split('\n').length,
      0,
    );
}

describe('the report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engagement-lake-report-browser-'));
  let lake: string;
  let browser: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    // First, so that a missing Chromium fails at once with how to install it.
    browser = await launchChromium();
    lake = await buildReportLake(dir);
    const { path } = await runReport({
      lake,
      out: join(dir, 'report.html'),
      engine: 'duckdb',
      now: NOW,
      log: () => {},
      ...RANGE,
    });
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    // Every request is recorded, and anything but the file itself is refused.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      return url.startsWith('file:') || url.startsWith('data:') ? route.continue() : route.abort();
    });
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('body[data-charts-drawn]', { timeout: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads nothing but the file and logs no error', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'))).toEqual([]);
  });

  it('draws every chart: an ECharts instance with a canvas that has ink', async () => {
    // Act
    const charts = await page.$$eval('[data-chart]', (nodes) =>
      nodes.map((node) => {
        const instance = (globalThis as unknown as PageGlobals).echarts.getInstanceByDom(node);
        const canvas = node.querySelector('canvas');
        const pixels = canvas?.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        let ink = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink += 1;
        return { id: node.getAttribute('data-chart'), instance: instance !== undefined, ink };
      }),
    );
    // Assert: all 15 charts have data in this lake, and each drew thousands of pixels
    expect(charts.map((c) => c.id)).toHaveLength(15);
    expect(await page.getAttribute('body', 'data-charts-drawn')).toBe('15');
    for (const chart of charts)
      expect(chart).toEqual({ id: chart.id, instance: true, ink: expect.any(Number) });
    for (const chart of charts) expect([chart.id, chart.ink > 2000]).toEqual([chart.id, true]);
  });

  it('shows the saved queries’ numbers for the same lake and days', async () => {
    // Arrange: the saved queries, run through the runner as `engagement-lake query` runs them
    const params = { start: RANGE.from, end: RANGE.to };
    const local = await openLocalLake(lake);
    const rowsOf = async (name: string): Promise<ResultRow[]> => {
      const query = loadSavedQueries().find((q) => q.name === name)!;
      return (
        await local.run(
          query.sql,
          bindValues(query, resolveParams(query, new Map(Object.entries(params)), NOW)),
        )
      ).rows;
    };
    const results: ResultRow[][] = [];
    for (const name of [
      'daily_volume',
      'email_funnel',
      'sms_delivery',
      'active_endpoints',
      'campaign_performance',
      'purchases',
      'voice_delivery',
    ])
      results.push(await rowsOf(name));
    local.close();
    const [volume, funnel, sms, active, campaigns, purchases, voice] = results;
    // Act
    const shown = Object.fromEntries(
      await page.$$eval('[data-key]', (nodes) =>
        nodes.map((n) => [n.getAttribute('data-key'), n.getAttribute('data-value')]),
      ),
    ) as Record<string, string>;
    const number = (key: string) => Number(shown[key]);
    // Assert
    expect(number('volume.events')).toBe(sum(volume, 'events'));
    expect(number('volume.rows_received')).toBe(sum(volume, 'rows_received'));
    expect(number('volume.failed_records')).toBe(errorDocuments(lake));
    expect(number('volume.failed_records')).toBeGreaterThan(0);
    for (const step of ['sent', 'delivered', 'opened', 'clicked'])
      expect([step, number(`email.${step}`)]).toEqual([step, sum(funnel, step)]);
    expect(number('sms.messages')).toBe(sum(sms, 'messages'));
    expect(number('sms.spend_usd')).toBeCloseTo(sum(sms, 'spend_usd'), 6);
    const calls = sum(voice, 'calls');
    expect(calls).toBeGreaterThan(0);
    expect(number('voice.calls')).toBe(calls);
    // the page weights each day's rounded rate by its calls: within rounding of completed / calls
    expect(number('voice.delivery_rate')).toBeCloseTo(sum(voice, 'completed') / calls, 3);
    expect(number('voice.spend_usd')).toBeCloseTo(sum(voice, 'spend_usd'), 6);
    expect(await page.locator('#table-voice-countries tbody tr').count()).toBe(
      new Set(voice.map((row) => row.country)).size,
    );
    expect(number('app.daily_active')).toBe(active[active.length - 1].daily_active_endpoints);
    const usd = purchases.filter((row) => row.currency === 'USD');
    expect(number('app.revenue.USD')).toBeCloseTo(sum(usd, 'revenue'), 2);
    expect(await page.locator('#table-campaign-table tbody tr').count()).toBe(campaigns.length);
    expect(number('volume.events')).toBeGreaterThan(1000);
  });

  it('keeps HTML and script from the data inert, and shows it as text', async () => {
    // Act
    const pwned = await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned);
    const campaignCells = await page.locator('#table-campaign-table td').allTextContents();
    const customEvents = await page.$eval('[data-chart="top-custom-events"]', (node) => {
      const chart = (globalThis as unknown as PageGlobals).echarts.getInstanceByDom(node);
      return chart?.getOption().yAxis[0].data ?? [];
    });
    // Assert
    expect(pwned).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(campaignCells).toContain(HOSTILE_CAMPAIGN_ID);
    expect(customEvents).toContain(HOSTILE_EVENT_TYPE);
  });

  it('sorts a table by the clicked column, then the other way', async () => {
    // Arrange
    const sentColumn = (await page.locator('#table-campaign-table th').allTextContents()).indexOf('sent') + 1;
    const sentValues = () =>
      page
        .locator(`#table-campaign-table tbody td:nth-child(${sentColumn})`)
        .evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute('data-value'))));
    // Act + Assert
    await page.click('#table-campaign-table th:has-text("sent")');
    const ascending = await sentValues();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.click('#table-campaign-table th:has-text("sent")');
    const descending = await sentValues();
    expect(descending).toEqual([...ascending].sort((a, b) => b - a));
  });

  it('takes a full-page screenshot to look at', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    expect(shot.length).toBeGreaterThan(50_000);
  });
});
