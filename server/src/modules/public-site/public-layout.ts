import { html, SafeHtml } from './html.ts';
import { MESSAGES, type Locale } from './messages.ts';

export interface PageFrame {
  locale: Locale;
  title: string;
  libraryName: string;
  /** Path of this page, to build the language switch link. */
  path: string;
  /** Query parameters every link keeps, before `lang` (`library=…&` on another library's pages). */
  scope?: string;
  body: SafeHtml;
}

/**
 * The frame of every public page: skip link, header with the language switch, one main column.
 * Works without JavaScript; colours pass WCAG AA in light and dark schemes.
 */
export function renderPage(frame: PageFrame): string {
  const t = MESSAGES[frame.locale];
  const other: Locale = frame.locale === 'en' ? 'es' : 'en';
  const scope = frame.scope ?? '';
  const switchTo = `${frame.path}?${scope}lang=${other}`;
  return `<!doctype html>${html`<html lang="${frame.locale}">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${frame.title}</title>
      <link rel="icon" href="/staff/favicon.svg" type="image/svg+xml" />
      <style>
        ${new SafeHtml(STYLES)}
      </style>
    </head>
    <body>
      <a class="skip" href="#main">${t.skipToContent}</a>
      <header class="site">
        <div class="wrap bar">
          <p class="brand">
            <a href="/?${scope}lang=${frame.locale}">${frame.libraryName}</a>
            <span class="tag">${t.virtualBranch}</span>
          </p>
          <a class="lang" href="${switchTo}" hreflang="${other}" lang="${other}">${t.switchTo}</a>
        </div>
      </header>
      <main id="main" class="wrap" tabindex="-1">${frame.body}</main>
      <footer class="wrap site-footer"><a href="/staff">${t.staffSignIn}</a></footer>
    </body>
  </html>`}`;
}

const STYLES = `
:root{--bg:#ffffff;--fg:#1d2430;--muted:#4a5568;--accent:#0b5cad;--accent-fg:#ffffff;--card:#f3f6fa;--border:#c9d3df;--focus:#b45309}
@media (prefers-color-scheme:dark){:root{--bg:#10151d;--fg:#e8edf3;--muted:#b8c2cf;--accent:#8cc4ff;--accent-fg:#0b1420;--card:#1a2230;--border:#3a4658;--focus:#fbbf24}}
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.5 -apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,"Liberation Sans","DejaVu Sans",system-ui,sans-serif;overflow-wrap:anywhere}
a{color:var(--accent)}
a:focus-visible,button:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.wrap{max-width:44rem;margin:0 auto;padding:0 1rem}
.skip{position:absolute;left:-999px;top:0;background:var(--accent);color:var(--accent-fg);padding:.75rem 1rem}
.skip:focus{left:1rem;z-index:1}
header.site{border-bottom:1px solid var(--border)}
.bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;min-height:4rem}
.brand{margin:0;font-weight:700;font-size:1.125rem}
.brand a{color:var(--fg);text-decoration:none}
.tag{font-weight:400;color:var(--muted);font-size:1rem}
.lang{display:inline-flex;align-items:center;min-height:44px;min-width:44px;padding:0 .75rem}
main{padding-bottom:2rem}
main:focus{outline:none}
h1{font-size:1.75rem;line-height:1.25;margin:1.5rem 0 .75rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem}
.lead{font-size:1.125rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:.5rem;padding:1rem;margin:.75rem 0}
.card h3{margin:0 0 .25rem;font-size:1.0625rem}
.card p{margin:.25rem 0}
.contact{list-style:none;padding:0;margin:0;display:grid;gap:.5rem}
.contact a{display:inline-flex;align-items:center;min-height:44px}
.muted{color:var(--muted)}
.site-footer{border-top:1px solid var(--border);padding-top:1rem;padding-bottom:2rem}
.site-footer a{display:inline-flex;align-items:center;min-height:44px}
label{font-weight:600}
input,textarea{font:inherit;color:var(--fg);background:var(--bg);border:2px solid var(--border);border-radius:.375rem;padding:.5rem .625rem;min-height:44px;width:100%;max-width:32rem}
input:focus-visible,textarea:focus-visible{outline:3px solid var(--focus);outline-offset:1px}
[aria-invalid="true"]{border-color:#b42318}
button,.button{font:inherit;font-weight:600;min-height:44px;min-width:44px;padding:.5rem 1.25rem;border:0;border-radius:.375rem;background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none;display:inline-flex;align-items:center}
[role="alert"]{border-left:4px solid #b42318;padding:.25rem .75rem;margin:.5rem 0}
branchline-chat{display:block;margin:1rem 0}
.cta{margin:1.5rem 0}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
`;
