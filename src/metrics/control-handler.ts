/**
 * `createControlHandler`: a `node:http` request handler through which an operator force-opens,
 * disables or resets a circuit — for the whole fleet when the registry has a store, since these
 * are ordinary transitions and are published like any other.
 *
 * It changes what production traffic does, so it is locked down:
 * - POST only, with a JSON body `{"circuit": "<name>", "action": "force-open"|"disable"|"reset"}`
 *   and `content-type: application/json`;
 * - authenticated by a bearer token in the `authorization` header, compared in constant time
 *   (both sides hashed first, so not even the length leaks); the token is checked before the
 *   body is read, so an unauthenticated client cannot make the server buffer anything;
 * - no cookies and no ambient credentials: a browser page from another origin cannot attach the
 *   header, and a cross-origin JSON POST needs a CORS preflight that this handler never grants —
 *   so it is CSRF-safe by construction;
 * - bodies over `maxBodyBytes` are refused, and only circuits that exist can be acted on (a
 *   request never creates one).
 * Every action goes through `registry.control`, so `onControl` listeners and the metrics see it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../core/errors.js';
import { hasMethods, isPlainObject, readOptions } from '../core/validate.js';

const CONTROL_KEYS: ReadonlySet<string> = new Set(['token', 'maxBodyBytes']);
import type { CircuitRegistry, ControlAction } from '../registry/circuit-registry.js';

/** Options of `createControlHandler`. */
export interface ControlHandlerOptions {
  /**
   * The secret operators send as `authorization: Bearer <token>`: at least 16 characters of
   * printable ASCII without spaces (e.g. `crypto.randomBytes(24).toString('base64url')`).
   */
  token: string;
  /** Largest request body accepted, in bytes. Default 4096. */
  maxBodyBytes?: number;
}

/** A `node:http` request handler for operator actions. */
export type ControlHandler = (req: IncomingMessage, res: ServerResponse) => void;

const ACTIONS: ReadonlySet<string> = new Set<ControlAction>(['force-open', 'disable', 'reset']);
const TOKEN_SHAPE = /^[\x21-\x7e]{16,4096}$/;

/**
 * A request handler that lets an operator act on the circuits of `registry`.
 *
 * Answers 200 with the circuit's new snapshot as JSON; 401 without the right token; 405 for a
 * method other than POST; 415 unless the body is JSON; 413 past `maxBodyBytes`; 400 for a body
 * that is not `{circuit, action}`; 404 for a circuit the registry does not hold.
 *
 * @example
 * const control = createControlHandler(registry, { token: process.env.BREAKER_TOKEN! });
 * http.createServer((req, res) => (req.url === '/control' ? control(req, res) : status(req, res)));
 * // curl -X POST -H "authorization: Bearer $BREAKER_TOKEN" -H 'content-type: application/json' \
 * //   -d '{"circuit":"/pkg.Svc/Get","action":"force-open"}' http://127.0.0.1:9464/control
 * @throws ConfigError when an option is invalid
 */
export function createControlHandler(
  registry: CircuitRegistry,
  options: ControlHandlerOptions,
): ControlHandler {
  if (!hasMethods(registry, 'registry', 'control'))
    throw new ConfigError('registry', 'must be a CircuitRegistry', registry);
  const { token, maxBodyBytes = 4_096 } = readOptions(
    options,
    CONTROL_KEYS,
    '',
    'ignore',
  ) as Partial<ControlHandlerOptions>;
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token))
    throw new ConfigError(
      'token',
      'must be 16 to 4096 printable ASCII characters without spaces',
      typeof token === 'string' ? `<${token.length} characters>` : token,
    );
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 64 || maxBodyBytes > 1_048_576)
    throw new ConfigError('maxBodyBytes', 'must be an integer in [64, 1048576]', maxBodyBytes);
  const expected = digest(`Bearer ${token}`);

  return (req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return reply(res, 405, { error: 'method not allowed' });
    }
    const given = req.headers.authorization;
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      res.setHeader('www-authenticate', 'Bearer');
      return reply(res, 401, { error: 'a valid bearer token is required' });
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type))
      return reply(res, 415, { error: 'content-type must be application/json' });
    readBody(req, maxBodyBytes, (body) => {
      if (body === undefined) return reply(res, 413, { error: 'body too large' });
      let request: unknown;
      try {
        request = JSON.parse(body);
      } catch {
        return reply(res, 400, { error: 'body must be JSON' });
      }
      if (
        !isPlainObject(request) ||
        typeof request.circuit !== 'string' ||
        typeof request.action !== 'string' ||
        !ACTIONS.has(request.action)
      )
        return reply(res, 400, {
          error: 'body must be {"circuit": name, "action": "force-open"|"disable"|"reset"}',
        });
      try {
        const snapshot = registry.control(request.circuit, request.action as ControlAction);
        if (!snapshot) return reply(res, 404, { error: 'no such circuit' });
        reply(res, 200, snapshot);
      } catch {
        reply(res, 500, { error: 'internal error' });
      }
    });
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Reads the body as UTF-8; `undefined` when it exceeds `max` bytes (the rest is discarded). */
function readBody(req: IncomingMessage, max: number, done: (body?: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (body?: string) => {
    if (finished) return;
    finished = true;
    done(body);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > max) {
      chunks.length = 0;
      finish(undefined);
      req.resume();
    } else if (!finished) chunks.push(chunk);
  });
  req.on('end', () => finish(Buffer.concat(chunks).toString('utf8')));
  req.on('error', () => {
    finished = true;
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', bytes.length);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(bytes);
}
