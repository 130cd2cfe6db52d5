import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pdfFileName, printToPdfOptions, reportTitle, reportUrl, reportWindowSize } from './report-pdf-options.ts';

test('printToPDF gets the command line’s paper, margins and footer, in Electron’s units', () => {
  const a4 = printToPdfOptions('a4', 'Lab 6 <drops> & "queues"');
  assert.equal(a4.pageSize, 'A4');
  assert.equal(printToPdfOptions('letter', 'x').pageSize, 'Letter');
  // 16 mm top and bottom, 14 mm sides, in inches.
  assert.deepEqual(a4.margins, { top: 0.6299, bottom: 0.6299, left: 0.5512, right: 0.5512 });
  assert.equal(a4.printBackground, true);
  assert.equal(a4.displayHeaderFooter, true);
  assert.equal(a4.preferCSSPageSize, false);
  assert.equal(a4.headerTemplate, '<span></span>');
  // The title is escaped into the footer; Chromium fills in the page numbers.
  assert.match(a4.footerTemplate, /<span>Lab 6 &lt;drops&gt; &amp; &quot;queues&quot;<\/span>/);
  assert.match(a4.footerTemplate, /<span class="pageNumber"><\/span> \/ <span class="totalPages"><\/span>/);
  assert.doesNotMatch(a4.footerTemplate, /<drops>/);
});

test('the hidden window is laid out at the printable width, as the command line lays the report out', () => {
  assert.deepEqual(reportWindowSize('a4'), { width: 687, height: 1001 });
  assert.deepEqual(reportWindowSize('letter'), { width: 710, height: 935 });
});

test('the PDF is named after the report, without folders or control characters', () => {
  assert.equal(pdfFileName('lab06.html'), 'lab06.pdf');
  assert.equal(pdfFileName('Lab 6.HTM'), 'Lab 6.pdf');
  assert.equal(pdfFileName('lab.ipynb'), 'lab.pdf');
  assert.equal(pdfFileName('../../etc/cron.d/x.html'), 'x.pdf');
  assert.equal(pdfFileName('a\\b\\c.html'), 'c.pdf');
  assert.equal(pdfFileName('bad\u0007name.html'), 'badname.pdf');
  assert.equal(pdfFileName('..'), 'report.pdf');
  assert.equal(pdfFileName('.html'), 'report.pdf');
});

test('the footer title is the report’s <title>, decoded once, else the fallback', () => {
  assert.equal(reportTitle('<head><title>Drops &amp; queues &lt;6&gt;</title></head>', 'lab'), 'Drops & queues <6>');
  assert.equal(reportTitle('<head></head>', 'lab'), 'lab');
  assert.equal(reportTitle('<title>  </title>', 'lab'), 'lab');
});

test('the report loads from an origin of its own, never the app’s', () => {
  const url = reportUrl('0b6f3c9e-2a51-4b7e-9d1c-5e0f8a7b6c4d');
  assert.equal(url, 'app://report-0b6f3c9e-2a51-4b7e-9d1c-5e0f8a7b6c4d/report.html');
  assert.notEqual(new URL(url).hostname, 'probebook');
  assert.throws(() => reportUrl('probebook/x'), /UUID/);
});
