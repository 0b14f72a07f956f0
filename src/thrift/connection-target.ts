/**
 * What a Thrift connection talks to, for circuit names: `host:port` of a TCP connection, the URL
 * of an HTTP one. Circuits of clients to different servers must not share state unless the user
 * asks (by naming the same `service`).
 */

/** The fields npm thrift's Connection and HttpConnection keep about their peer. */
interface ConnectionPeer {
  host?: unknown;
  port?: unknown;
  https?: unknown;
  path?: unknown;
  options?: { https?: unknown; path?: unknown };
  nodeOptions?: { path?: unknown };
}

/** `host:port`, `http(s)://host:port/path`, or undefined when the connection does not say. */
export function connectionTarget(connection: unknown): string | undefined {
  if (typeof connection !== 'object' || connection === null) return undefined;
  const c = connection as ConnectionPeer;
  if (typeof c.host !== 'string' || c.host === '') return undefined;
  const port = typeof c.port === 'number' || typeof c.port === 'string' ? `:${c.port}` : '';
  const path = c.nodeOptions?.path ?? c.options?.path ?? c.path;
  const http = typeof path === 'string' && 'nodeOptions' in c;
  if (!http) return `${c.host}${port}`;
  const scheme = c.https === true || c.options?.https === true ? 'https' : 'http';
  return `${scheme}://${c.host}${port}${path as string}`;
}
