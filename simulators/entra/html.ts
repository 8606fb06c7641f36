// Tiny, script-free HTML for the sign-in page and error pages (automation clicks plain form buttons).

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}button{display:block;width:100%;margin:.4rem 0;padding:.6rem;text-align:left}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
