/**
 * How a report is printed to PDF, shared by the command line (headless Chromium's `page.pdf`) and
 * the desktop app (Electron's `printToPDF`): paper sizes, margins, the width the page is laid out
 * at, and the footer (the title and page numbers). Pure.
 */
import type { PaperSize } from './report-data.ts';

/** Page margins: 14 mm left and right, 16 mm top and bottom. */
export const PDF_MARGIN_MM = { x: 14, y: 16 } as const;

/** Paper sizes in millimetres. */
export const PAPER_MM: Record<PaperSize, { width: number; height: number }> = {
  a4: { width: 210, height: 297 },
  letter: { width: 215.9, height: 279.4 },
};

/** CSS pixels across the printable width, so figures are drawn at the size they are printed. */
export function printableWidth(paper: PaperSize): number {
  return Math.floor(((PAPER_MM[paper].width - 2 * PDF_MARGIN_MM.x) / 25.4) * 96);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The footer of every page: the title on the left, "page / pages" on the right (Chromium fills the classes in). */
export function pdfFooterTemplate(title: string): string {
  return `<div style="font: 8px sans-serif; color: #656d76; width: 100%; padding: 0 ${PDF_MARGIN_MM.x}mm; display: flex; justify-content: space-between;"><span>${escapeHtml(title)}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`;
}

/** No header: an empty template (Chromium's default header would print the date and URL). */
export const PDF_HEADER_TEMPLATE = '<span></span>';
