// `scan -o html` in a real browser: Debian's chromium driven by playwright-core (never a
// downloaded browser). The report must render without console errors, make no request of any
// kind, carry its charts as inline SVG with data, render a hostile workload name as text (no
// element, no dialog), have working copy buttons, and print. A screenshot and a PDF are kept
// under test-artifacts/ (gitignored) for a human to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, runCli } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const XSS_NAME = '<img src=x onerror=alert(1)>';
const XSS_NS = '"><script>alert(2)</script>';

let browser: Browser;
let demoFile: string;
let hostileFile: string;
let work: string;

/** A snapshot whose objects carry markup in every string a report shows. */
function hostileSnapshot(dir: string): void {
  const meta = (kind: string, name: string) => ({ name, namespace: XSS_NS, uid: `uid-${kind}`, resourceVersion: '1', creationTimestamp: '2026-03-01T00:00:00Z', annotations: { 'queue-doctor.io/backlog-query': `sum(q{name="${XSS_NAME}"})` } });
  const objects = [
    {
      context: `ctx-${XSS_NAME}`,
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta('d', XSS_NAME),
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'x' } },
          template: {
            metadata: { labels: { app: 'x' } },
            spec: { containers: [{ name: 'worker', image: 'x:1', command: ['celery', '-A', XSS_NAME, 'worker'], env: [{ name: 'QUEUE_NAME', value: XSS_NAME }], resources: { requests: { cpu: '250m' } } }] },
          },
        },
      },
    },
    {
      context: `ctx-${XSS_NAME}`,
      object: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: meta('h', XSS_NAME),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: XSS_NAME },
          minReplicas: 1,
          maxReplicas: 5,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        },
      },
    },
  ];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ version: 1, tool: 'queue-doctor', createdAt: '2026-03-10T15:00:00Z', contexts: [`ctx-${XSS_NAME}`], objects, meta: { at: 1773154800, windowSeconds: 21600 } }));
}

interface Loaded {
  page: Page;
  consoleErrors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(file: string): Promise<Loaded> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const url = pathToFileURL(file).href;
  // every request but the report itself is counted and refused
  await page.route('**', (route) => {
    if (route.request().url() === url) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, consoleErrors, requests, dialogs };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'qd-html-'));
  const hostileDir = join(work, 'hostile');
  hostileSnapshot(hostileDir);
  const [demo, hostile] = await Promise.all([runCli(['scan', '--demo', '-o', 'html']), runCli(['scan', '--snapshot', hostileDir, '-o', 'html'])]);
  expect(demo.code).toBe(1);
  expect(hostile.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  demoFile = join(ARTIFACTS, 'demo-report.html');
  hostileFile = join(work, 'hostile.html');
  writeFileSync(demoFile, demo.stdout);
  writeFileSync(hostileFile, hostile.stdout);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('scan -o html (the demo) in headless Chromium', () => {
  it('is one self-contained file: no external references, a strict CSP, one inline script', () => {
    const doc = readFileSync(demoFile, 'utf8');
    expect(doc).not.toMatch(/<script[^>]+src=|<link\b|<iframe|<img\b|@import|url\(/i);
    expect(doc.match(/<script>/g)).toHaveLength(1);
    expect(doc).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+';/);
  });

  it('renders without console errors and makes no network requests', async () => {
    const { page, consoleErrors, requests, dialogs } = await open(demoFile);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.title()).toContain('queue-doctor scan');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-report.png'), fullPage: true });
    await page.context().close();
  });

  it('has the summary and a chart per workload: backlog, CPU with the HPA target line, replicas', async () => {
    const { page } = await open(demoFile);
    const cards = await page.locator('.cards .card').allInnerTexts();
    expect(cards.join('\n')).toMatch(/WORKLOADS SCANNED\s+10/i);
    expect(cards.join('\n')).toMatch(/FINDINGS[\s\S]*errors/i);
    expect(cards.join('\n')).toMatch(/p95 wait[\s\S]*→/i);
    expect(cards.join('\n')).toMatch(/pod-hours[\s\S]*→/i);
    const sections = page.locator('section.workload');
    expect(await sections.count()).toBe(10);
    const rag = page.locator('section.workload', { hasText: 'rag/rag-worker' }).first();
    for (const key of ['backlog', 'cpu', 'replicas']) {
      const panel = rag.locator(`svg.chart g.panel[data-series="${key}"]`);
      expect(Number(await panel.getAttribute('data-points')), key).toBeGreaterThan(100);
      expect(await panel.locator('path').count(), key).toBeGreaterThan(0);
    }
    // the HPA target line and its label
    expect(await rag.locator('g.panel[data-series="cpu"] line[stroke-dasharray]').count()).toBe(1);
    expect(await rag.locator('g.panel[data-series="cpu"]').innerHTML()).toContain('target 70%');
    const box = await rag.locator('svg.chart').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(150);
    await rag.screenshot({ path: join(ARTIFACTS, 'demo-report-rag-worker.png') });
    await page.context().close();
  });

  it('shows findings with evidence, the recommended YAML with a working copy button, and the backtest', async () => {
    const { page } = await open(demoFile);
    const rag = page.locator('section.workload', { hasText: 'rag/rag-worker' }).first();
    expect(await rag.locator('.finding', { hasText: 'QD201' }).count()).toBe(1);
    expect(await rag.locator('.finding', { hasText: 'QD201' }).locator('dl.evidence dt').count()).toBeGreaterThan(5);
    const backtest = await rag.locator('table.backtest').innerText();
    expect(backtest).toMatch(/p95 wait\s+\S+\s+\S+/);
    expect(backtest).toMatch(/pod-hours/);
    const yaml = await rag.locator('pre code').first().innerText();
    expect(yaml).toContain('kind: ScaledObject');
    expect(yaml).toContain('sum(agent_queue_depth{queue="default"})');
    const button = rag.locator('button.copy').first();
    expect(await button.innerText()).toBe('Copy YAML');
    await button.click();
    await expect.poll(() => button.innerText()).toBe('Copied');
    const copied = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(copied).toBe(yaml);
    await page.context().close();
  });

  it('prints: copy buttons hidden, a PDF is written', async () => {
    const { page } = await open(demoFile);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('button.copy').first().isVisible()).toBe(false);
    const pdf = join(ARTIFACTS, 'demo-report.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    expect(statSync(pdf).size).toBeGreaterThan(50_000);
    await page.context().close();
  });
});

describe('scan -o html escapes cluster data', () => {
  it('renders a workload named like markup as text: no element, no dialog, no error', async () => {
    const { page, consoleErrors, requests, dialogs } = await open(hostileFile);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    const text = await page.locator('body').innerText();
    expect(text).toContain(XSS_NAME);
    expect(text).toContain('<script>alert(2)</script>');
    expect(existsSync(hostileFile)).toBe(true);
    await page.context().close();
  });
});
