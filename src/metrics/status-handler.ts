/**
 * `createStatusHandler`: a `node:http` request handler serving a live page of a registry's
 * circuits, and `?format=json` for the same snapshots as JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../core/errors.js';
import { hasMethods, readOptions } from '../core/validate.js';

const STATUS_KEYS: ReadonlySet<string> = new Set([
  'title',
  'historySeconds',
  'maxRows',
  'controlUrl',
]);
import { disposableHandle, type DisposableHandle } from '../core/disposable.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';
import { statusCsp } from './status-assets.js';
import { StatusHistory } from './status-history.js';
import { renderStatusPage } from './status-page.js';

/** Options of `createStatusHandler`. */
export interface StatusHandlerOptions {
  /** Page title and heading. Default `'rpc-breaker circuits'`. */
  title?: string;
  /** Seconds of history each circuit's sparkline covers. Default 60. */
  historySeconds?: number;
  /** Most circuits listed on the page, most severe state first. Default 500. */
  maxRows?: number;
  /**
   * Path of a `createControlHandler` on the same origin (e.g. `'/control'`). When set, the page
   * shows an operator panel (circuit, action, token) that posts to it; default: no panel.
   */
  controlUrl?: string;
}

/** A `node:http` request handler; `dispose()` stops its state-change listener. */
export interface StatusHandler extends DisposableHandle {
  (req: IncomingMessage, res: ServerResponse): void;
}

/**
 * A request handler for a status page of every circuit in `registry`: state in colour, window
 * failure rate, calls, rejections, fallbacks served, time until half-open, a sparkline of the
 * recent history. The page refreshes itself every second by fetching `?format=json` (which
 * answers with `registry.snapshot()` as JSON) and loads nothing from elsewhere. Only snapshot
 * fields are shown: never request payloads or metadata. GET and HEAD are served; other methods
 * get 405, a `format` other than `json` or `html` gets 400.
 *
 * The sparkline history is kept without a timer: state changes from `onStateChange` as they
 * happen, failure rates from the snapshots taken when the page or its JSON is requested (at most
 * once a second). `dispose()` the handler to stop listening.
 *
 * Mount it on any path, e.g. `http.createServer(createStatusHandler(registry))` or
 * `if (req.url?.startsWith('/circuits')) return status(req, res)`. It has no access control:
 * expose it only where circuit names may be seen.
 *
 * @throws ConfigError when an option is invalid
 */
export function createStatusHandler(
  registry: CircuitRegistry,
  options: StatusHandlerOptions = {},
): StatusHandler {
  if (!hasMethods(registry, 'registry', 'snapshot', 'onStateChange'))
    throw new ConfigError('registry', 'must be a CircuitRegistry', registry);
  const o = readOptions(options, STATUS_KEYS, '', 'ignore') as StatusHandlerOptions;
  const title = o.title ?? 'rpc-breaker circuits';
  if (typeof title !== 'string') throw new ConfigError('title', 'must be a string', title);
  const historySeconds = positiveInteger(o.historySeconds, 60, 'historySeconds');
  const maxRows = positiveInteger(o.maxRows, 500, 'maxRows');
  const controlUrl = o.controlUrl;
  if (
    controlUrl !== undefined &&
    (typeof controlUrl !== 'string' || !/^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/.test(controlUrl))
  )
    throw new ConfigError(
      'controlUrl',
      'must be a path on the same origin, like "/control"',
      controlUrl,
    );
  const csp = statusCsp(controlUrl !== undefined);
  const history = new StatusHistory(registry, historySeconds * 1_000);

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return send(req, res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      const format = new URL(req.url ?? '/', 'http://status.invalid').searchParams.get('format');
      if (format !== null && format !== 'json' && format !== 'html')
        return send(req, res, 400, 'text/plain; charset=utf-8', 'format must be json or html\n');
      const snapshots = registry.snapshot();
      history.sample(snapshots);
      if (format === 'json')
        return send(req, res, 200, 'application/json; charset=utf-8', JSON.stringify(snapshots));
      res.setHeader('content-security-policy', csp);
      const html = renderStatusPage({
        title,
        snapshots,
        history: (snapshot) => history.of(snapshot),
        maxRows,
        historyMs: historySeconds * 1_000,
        ...(controlUrl === undefined ? {} : { controlUrl }),
      });
      send(req, res, 200, 'text/html; charset=utf-8', html);
    } catch {
      // Details stay on the server side: the page is often reachable by more people than logs.
      if (!res.headersSent) send(req, res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    }
  };
  return Object.assign(
    handler,
    disposableHandle(() => history.dispose()),
  );
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
): void {
  const bytes = Buffer.from(body, 'utf8');
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', bytes.length);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function positiveInteger(v: number | undefined, fallback: number, path: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1 || v > 86_400)
    throw new ConfigError(path, 'must be an integer in [1, 86400]', v);
  return v;
}
