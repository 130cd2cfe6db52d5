/**
 * The pure parts of File → Export as PDF in the desktop app (docs/desktop-app.md): the options
 * Electron's `printToPDF` gets (paper, margins, footer: the same as the command line's), the PDF's
 * file name, the report's title for the footer, and the one URL the hidden report window loads.
 * No Electron import, so it is unit-tested in Node (report-pdf-options.test.ts).
 */
import { PAPER_MM, PDF_HEADER_TEMPLATE, PDF_MARGIN_MM, pdfFooterTemplate, printableWidth } from '../../core/common/export/pdf-layout.ts';
import type { PaperSize } from '../../core/common/export/report-data.ts';

/** What `webContents.printToPDF` takes (Electron's `PrintToPDFOptions`, the fields we set). */
export interface PdfOptions {
  pageSize: 'A4' | 'Letter';
  printBackground: boolean;
  /** Inches, as Electron takes them. */
  margins: { top: number; bottom: number; left: number; right: number };
  displayHeaderFooter: boolean;
  headerTemplate: string;
  footerTemplate: string;
  preferCSSPageSize: boolean;
}

const inches = (mm: number): number => Math.round((mm / 25.4) * 10_000) / 10_000;

/** `printToPDF`'s options for a report titled `title` on `paper`: as `probebook export --to pdf` prints it. */
export function printToPdfOptions(paper: PaperSize, title: string): PdfOptions {
  const { x, y } = PDF_MARGIN_MM;
  return {
    pageSize: paper === 'letter' ? 'Letter' : 'A4',
    printBackground: true,
    margins: { top: inches(y), bottom: inches(y), left: inches(x), right: inches(x) },
    displayHeaderFooter: true,
    headerTemplate: PDF_HEADER_TEMPLATE,
    footerTemplate: pdfFooterTemplate(title),
    preferCSSPageSize: false,
  };
}

/** The hidden window's content size: the printable width (figures drawn at their printed size) and a page's height. */
export function reportWindowSize(paper: PaperSize): { width: number; height: number } {
  return { width: printableWidth(paper), height: Math.floor(((PAPER_MM[paper].height - 2 * PDF_MARGIN_MM.y) / 25.4) * 96) };
}

/** The PDF's suggested name: the report's (`lab.html`) with `.pdf`, no folders, nothing a file name cannot hold. */
export function pdfFileName(reportFileName: string): string {
  const base = reportFileName.split(/[\\/]/).pop() ?? '';
  const stem = base
    .replace(/\.(html?|ipynb)$/i, '')
    .replace(/[\0-\x1f]/g, '')
    .trim();
  return `${stem && stem !== '.' && stem !== '..' ? stem : 'report'}.pdf`;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The report's `<title>` (for the footer), or `fallback`. */
export function reportTitle(html: string, fallback: string): string {
  const m = /<title>([^<]{0,500})<\/title>/.exec(html.slice(0, 64 * 1024));
  const title = m?.[1]?.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!).trim();
  return title || fallback;
}

/** The only URL the hidden window loads: the report, on an origin of its own (not the app's), in a session of its own. */
export function reportUrl(token: string): string {
  if (!/^[0-9a-f-]{36}$/.test(token)) throw new Error('report token must be a UUID');
  return `app://report-${token}/report.html`;
}
