/**
 * An exported report as one self-contained HTML file: the report data (JSON, never executed), the
 * report page's script and stylesheet (dist/export/, built from renderer/export/) and, when the
 * notebook has plotly figures, plotly.js — all inline. Its Content-Security-Policy lets exactly
 * those scripts run (by hash) and nothing load: no request ever leaves the file, and an output
 * cannot add a script of its own.
 */
import { reportPolicy } from '../../common/export/report-csp.ts';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportData } from '../../common/export/report-data.ts';
import { MIME } from '../../common/mime.ts';
import { plotlyBundleFor } from '../../common/plotly-bundle.ts';

export interface ReportAssets {
  script: string;
  css: string;
  /** plotly.js bundles by name; read only when a report needs them. */
  plotly: (bundle: 'cartesian' | 'full') => string;
}

/** The built report page and plotly, beside the CLI bundle (dist/node → dist/export) or the source tree. */
export function reportAssets(): ReportAssets {
  const here = dirname(fileURLToPath(import.meta.url));
  const roots = [join(here, '..'), join(here, '../..'), join(here, '../../..'), join(here, '../../../..')];
  const root = roots.find((r) => existsSync(join(r, 'dist/export/report.js')) || existsSync(join(r, 'export/report.js')));
  if (!root) throw new Error('The report page is not built (dist/export/report.js): run "npm run build".');
  const dir = existsSync(join(root, 'dist/export/report.js')) ? join(root, 'dist/export') : join(root, 'export');
  const pkgRoot = [root, join(root, '..')].find((r) => existsSync(join(r, 'node_modules/plotly.js-dist-min'))) ?? root;
  const files = { cartesian: 'plotly.js-cartesian-dist-min/plotly-cartesian.min.js', full: 'plotly.js-dist-min/plotly.min.js' } as const;
  return {
    script: readFileSync(join(dir, 'report.js'), 'utf8'),
    css: readFileSync(join(dir, 'report.css'), 'utf8'),
    plotly: (bundle) => readFileSync(join(pkgRoot, 'node_modules', files[bundle]), 'utf8'),
  };
}

/** The plotly bundle a report needs: none without figures (WebGL traces are drawn as SVG in reports). */
export function reportPlotlyBundle(data: ReportData): 'cartesian' | 'full' | null {
  if (!data.showOutputs) return null;
  const traces: unknown[] = [];
  let figures = 0;
  for (const cell of data.cells)
    for (const output of cell.outputs)
      for (const item of output.items) {
        if (item.mime !== MIME.plotly || typeof item.data !== 'object' || item.data === null || Array.isArray(item.data)) continue;
        figures++;
        const data = item.data['data'];
        if (!Array.isArray(data)) continue;
        for (const t of data) {
          const type = t && typeof t === 'object' && !Array.isArray(t) ? t['type'] : undefined;
          traces.push({ type: type === 'scattergl' ? 'scatter' : type });
        }
      }
  return figures ? plotlyBundleFor(traces) : null;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** JSON that cannot end its `<script>` element or open a comment in it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function inlineScript(code: string, name: string): string {
  if (/<\/script/i.test(code)) throw new Error(`${name} contains "</script" and cannot be inlined into a report.`);
  return code;
}

/**
 * The report's policy: nothing loads (`default-src 'none'`), images only from `data:`, scripts
 * only the inlined ones by hash (no `'unsafe-eval'`: plotly's WebGL traces fall back to SVG).
 * Styles may be inline: plotly and the renderers place their parts with inline styles, and with
 * nothing allowed to load, a style cannot reach the network.
 */
export function reportCsp(scripts: readonly string[]): string {
  return reportPolicy(scripts.map(sha256));
}

export function reportHtml(data: ReportData, assets: ReportAssets): string {
  const bundle = reportPlotlyBundle(data);
  const scripts = [...(bundle ? [inlineScript(assets.plotly(bundle), `plotly.js (${bundle})`)] : []), inlineScript(assets.script, 'the report script')];
  const css = assets.css.replace(/<\/style/gi, '<\\/style');
  return [
    '<!doctype html>',
    `<html lang="en" data-paper="${data.paper}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(reportCsp(scripts))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="Probebook">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${css}</style>`,
    `<script id="pb-report-data" type="application/json">${scriptJson(data)}</script>`,
    '</head>',
    '<body>',
    ...scripts.map((s) => `<script>${s}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
