/**
 * The status page's only style sheet, inline and constant, and the Content Security Policy that
 * allows exactly it and the page's script (status-script.ts) by SHA-256 hash and nothing else: no
 * external asset, no other script, no inline style attribute, requests only to the page's own
 * origin (the script's `?format=json` refreshes).
 */
import { createHash } from 'node:crypto';
import { STATUS_CONTROL_SCRIPT } from './status-control-script.js';
import { STATUS_SCRIPT } from './status-script.js';

/** Colours: closed green, half-open amber, open red, forced-open purple, disabled grey. */
export const STATUS_CSS = `
:root{color-scheme:light;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328}
body{margin:0;background:#f6f8fa}
header{display:flex;align-items:baseline;gap:1.5em;padding:.8em 1.2em;background:#24292f;color:#fff}
header h1{font-size:1.15em;margin:0}
.live{font-size:.85em;color:#8ff0a4}.live.down{color:#ffb4a9}
main{padding:1em 1.2em}
.summary{margin:0 0 .8em}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0002}
th,td{padding:.45em .7em;border-bottom:1px solid #d8dee4;text-align:left;vertical-align:middle}
th{font-size:.8em;text-transform:uppercase;letter-spacing:.03em;color:#57606a;background:#f0f3f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
small{color:#57606a;display:block}
.state{display:inline-block;min-width:6.5em;padding:.1em .6em;border-radius:1em;color:#fff;font-weight:600;text-align:center}
.st-closed{background:#1a7f37}.st-half-open{background:#bf8700}.st-open{background:#cf222e}
.st-forced-open{background:#8250df}.st-disabled{background:#6e7781}
.spark .f-closed{fill:#1a7f37}.spark .f-half-open{fill:#d4a72c}.spark .f-open{fill:#cf222e}
.spark .f-forced-open{fill:#8250df}.spark .f-disabled{fill:#8c959f}
.spark .rate{fill:none;stroke:#1f2328;stroke-width:1.2}
.spark .base{fill:#eaeef2}
.empty{padding:2em;text-align:center;color:#57606a}
.control{display:flex;flex-wrap:wrap;align-items:center;gap:.6em 1em;margin:0 0 1em;padding:.6em .8em;background:#fff;box-shadow:0 1px 2px #0002}
.control output.ok{color:#1a7f37}.control output.err{color:#cf222e}
#circuits.controlled tbody tr{cursor:pointer}
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The page's Content-Security-Policy header value; `withControl` also allows the operator panel's
 * script (status-control-script.ts).
 */
export function statusCsp(withControl: boolean): string {
  const scripts = withControl ? [STATUS_SCRIPT, STATUS_CONTROL_SCRIPT] : [STATUS_SCRIPT];
  return [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    `style-src ${sha256(STATUS_CSS)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The page's Content-Security-Policy header value without the operator panel. */
export const STATUS_CSP = statusCsp(false);
