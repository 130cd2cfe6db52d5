// The page of exported reports (renderer/export/report-page.ts): one classic script and one
// stylesheet in dist/export/, which `probebook export` inlines into each report with plotly.js
// (core/node/export/report-html.ts). No chunks, no files to load: a report is one file.
import { join } from 'node:path';

/** @param {string} root */
export function targets(root) {
  return [
    {
      entryPoints: { report: join(root, 'renderer/export/report-page.ts') },
      outdir: join(root, 'dist/export'),
      platform: 'browser',
      format: 'iife',
      target: 'chrome120',
      bundle: true,
      minify: true,
      legalComments: 'none',
    },
  ];
}
