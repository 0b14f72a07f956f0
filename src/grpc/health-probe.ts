/**
 * A ready-made half-open probe for gRPC: the standard health check,
 * `grpc.health.v1.Health/Check`, sent on the channel of the user's own client.
 *
 * The call is made with `client.makeUnaryRequest`, so no value is imported from @grpc/grpc-js
 * (the package entry must not load it) and no generated Health client or .proto is needed: the two
 * messages are tiny and encoded here by hand (`HealthCheckRequest` is field 1, a string;
 * `HealthCheckResponse` is field 1, an enum). The check passes its own call interceptors, which
 * in grpc-js replace the client's: the breaker's interceptor never sees the probe, so the probe
 * is never rejected by the very circuit it is testing, and it is not counted as a user call.
 */
import type { Client, InterceptingCall, Interceptor, ServiceError } from '@grpc/grpc-js';
import { ConfigError } from '../core/errors.js';
import { hasMethods, readOptions } from '../core/validate.js';
import { requireTimerMs } from '../core/timer-delay.js';
import type { ProbeContext } from '../core/policy.js';
import { withProbeWarning } from '../registry/probe-warnings.js';
import type { GrpcInterceptor, GrpcUnaryClient } from './grpc-types.js';

/** Path of the standard health check method. */
export const GRPC_HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** What the probe needs of a client: grpc-js's generic unary call (every generated client has it). */
export type GrpcHealthProbeClient = GrpcUnaryClient;

/** Options of `createGrpcHealthProbe`. */
export interface GrpcHealthProbeOptions {
  /**
   * Service name sent in the check, e.g. `'pkg.Catalog'`; default `''`, which by the health
   * protocol asks about the server as a whole.
   */
  service?: string;
  /** Deadline of each check, ms; default 1_000. A check that has not answered by then fails. */
  timeoutMs?: number;
  /**
   * Interceptors of the check call, e.g. one adding credentials. They replace the client's own
   * interceptors for this call (the breaker's included). Default: none; an empty list means the
   * same.
   */
  interceptors?: GrpcInterceptor[];
}

/** A function to use as `circuit.halfOpenProbe`. */
export type GrpcHealthProbe = (ctx?: ProbeContext) => Promise<void>;

const DEFAULT_TIMEOUT_MS = 1_000;
/** `HealthCheckResponse.ServingStatus` names by number. */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const SERVING = 1;

/**
 * Creates a half-open probe that calls `grpc.health.v1.Health/Check` on `client`'s channel.
 * The probe resolves when the server answers `SERVING`, and rejects when it answers anything
 * else (`NOT_SERVING`, `SERVICE_UNKNOWN`, `UNKNOWN`), when the call fails (including
 * `UNIMPLEMENTED` from a server without the health service: such a circuit would then never
 * close, so only use the probe with servers that run it), or when `timeoutMs` passes.
 *
 * @param client the grpc-js client whose calls the circuit guards (any generated client), or a
 *   function returning it — handy because the client is usually built with the interceptor
 *   whose policy holds the probe
 * @example
 * let catalog: CatalogClient;
 * const probe = createGrpcHealthProbe(() => catalog, { service: 'shop.Catalog', timeoutMs: 500 });
 * catalog = new CatalogClient(address, credentials.createInsecure(), {
 *   interceptors: [createGrpcBreakerInterceptor({ defaults: { circuit: { halfOpenProbe: probe } } })],
 * });
 * @throws ConfigError when an option is invalid (a client getter returning something that is not
 *   a client makes the probe reject with a ConfigError instead)
 */
export function createGrpcHealthProbe(
  client: GrpcHealthProbeClient | (() => GrpcHealthProbeClient),
  options: GrpcHealthProbeOptions = {},
): GrpcHealthProbe {
  const getClient = typeof client === 'function' ? client : () => client;
  if (typeof client !== 'function') requireClient(client);
  const { service = '', timeoutMs = DEFAULT_TIMEOUT_MS, interceptors } = validate(options);
  const request = encodeCheckRequest(service);
  // A non-empty call-level list is what makes grpc-js skip the client's interceptors.
  const callInterceptors = interceptors?.length ? interceptors : [passThrough];
  return () =>
    new Promise<void>((resolve, reject) => {
      try {
        const c = requireClient(getClient());
        c.makeUnaryRequest<Buffer, number>(
          GRPC_HEALTH_CHECK_PATH,
          (b) => b,
          decodeServingStatus,
          request,
          { deadline: Date.now() + timeoutMs, interceptors: callInterceptors },
          (error: ServiceError | null, status?: number) => {
            if (error) reject(checkFailure(error));
            else if (status === SERVING) resolve();
            else reject(new Error(`health check answered ${statusName(status)}`));
          },
        );
      } catch (error) {
        reject(error);
      }
    });
}

const UNIMPLEMENTED = 12;

/**
 * The rejection of a failed check. A server without the health service (UNIMPLEMENTED) will
 * never pass it: the circuit would stay half-open for ever, so the error carries a warning the
 * registry reports once (`onWarning`, code `HEALTH_CHECK_UNIMPLEMENTED`).
 */
function checkFailure(error: ServiceError): Error {
  const failure = new Error(`health check failed: ${error.message}`, { cause: error });
  if (error.code !== UNIMPLEMENTED) return failure;
  return withProbeWarning(failure, {
    code: 'HEALTH_CHECK_UNIMPLEMENTED',
    message:
      'the server does not implement grpc.health.v1.Health/Check (UNIMPLEMENTED): this ' +
      'circuit stays half-open until it does; add the health service or remove halfOpenProbe',
  });
}

// grpc-js only uses the InterceptingCall interface of what an interceptor returns; wrapping it in
// `new InterceptingCall(...)` would need a value import of @grpc/grpc-js.
const passThrough: Interceptor = (options, nextCall) =>
  nextCall(options) as unknown as InterceptingCall;

function requireClient(c: unknown): Pick<Client, 'makeUnaryRequest'> {
  if (!hasMethods(c, 'client', 'makeUnaryRequest')) {
    throw new ConfigError('client', 'must be a grpc-js client (or a function returning one)', c);
  }
  return c as Pick<Client, 'makeUnaryRequest'>;
}

const PROBE_KEYS: ReadonlySet<string> = new Set(['service', 'timeoutMs', 'interceptors']);

function validate(options: GrpcHealthProbeOptions): GrpcHealthProbeOptions {
  const o = readOptions(options, PROBE_KEYS, 'options') as GrpcHealthProbeOptions;
  if (o.service !== undefined && typeof o.service !== 'string')
    throw new ConfigError('options.service', 'must be a string', o.service);
  if (o.timeoutMs !== undefined) requireTimerMs(o.timeoutMs, 'options.timeoutMs');
  const i = o.interceptors;
  if (i !== undefined && (!Array.isArray(i) || i.some((f) => typeof f !== 'function')))
    throw new ConfigError('options.interceptors', 'must be an array of interceptors', i);
  return o;
}

function statusName(status: number | undefined): string {
  return SERVING_STATUS[status ?? 0] ?? `status ${status}`;
}

/** `HealthCheckRequest { string service = 1; }` in protobuf wire format. */
export function encodeCheckRequest(service: string): Buffer {
  if (service === '') return Buffer.alloc(0);
  const text = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), encodeVarint(text.length), text]);
}

/**
 * The `status` (field 1) of a `HealthCheckResponse` in protobuf wire format; 0 (`UNKNOWN`) when
 * absent. Unknown fields are skipped, as protobuf requires.
 * @throws Error on a malformed message (grpc-js then fails the call with INTERNAL)
 */
export function decodeServingStatus(bytes: Buffer): number {
  let status = 0;
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 63) throw new Error('malformed HealthCheckResponse');
      const b = bytes[at++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0: {
        const v = varint();
        if (field === 1) status = v;
        break;
      }
      case 1:
        at += 8;
        break;
      case 2: {
        // Not `at += varint()`: that reads `at` before varint() moves it.
        const length = varint();
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error('malformed HealthCheckResponse');
    }
  }
  if (at > bytes.length) throw new Error('malformed HealthCheckResponse');
  return status;
}

function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
