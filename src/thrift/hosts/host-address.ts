/**
 * Host lists of the multi-host Thrift client: `'host:port'` strings or `{ host, port }` objects,
 * checked and keyed by `host:port` (IPv6 hosts in brackets: `'[::1]:9090'`).
 */
import { ConfigError } from '../../core/errors.js';

/** One host as given by the user. */
export type HostSpec = string | { host: string; port: number };

/** One host, checked. */
export interface HostAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port` (`[v6]:port`): its identity in the list and in circuit names. */
  readonly key: string;
}

/**
 * Checks a host list: an array of at least one host, each a valid `host:port` or
 * `{ host, port }` with a port in 1..65535, no host twice.
 * @throws ConfigError naming the entry (`hosts[2]`) and the value
 */
export function readHosts(v: unknown, path: string): readonly HostAddress[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new ConfigError(path, "must be a non-empty array of 'host:port' or { host, port }", v);
  }
  const seen = new Set<string>();
  const out = v.map((spec, i) => {
    const a = readHost(spec, `${path}[${i}]`);
    if (seen.has(a.key))
      throw new ConfigError(`${path}[${i}]`, 'names a host already listed', spec);
    seen.add(a.key);
    return a;
  });
  return Object.freeze(out);
}

function readHost(spec: unknown, path: string): HostAddress {
  let host: unknown;
  let port: unknown;
  if (typeof spec === 'string') {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(spec);
    if (!m) throw new ConfigError(path, "must be 'host:port'", spec);
    host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1];
    port = Number(m[2]);
  } else if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    ({ host, port } = spec as { host?: unknown; port?: unknown });
  } else {
    throw new ConfigError(path, "must be 'host:port' or { host, port }", spec);
  }
  if (typeof host !== 'string' || host.length === 0 || /\s/.test(host)) {
    throw new ConfigError(`${path}.host`, 'must be a non-empty host name or address', host);
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ConfigError(`${path}.port`, 'must be an integer port in 1..65535', port);
  }
  const key = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return Object.freeze({ host, port, key });
}
