/**
 * The channel's target, learned per call. grpc-js shows interceptors neither the client nor its
 * channel, but a client's `callInvocationTransformer` sees both before the interceptors run, and
 * the call options it returns reach every interceptor (grpc-js copies them, symbol keys
 * included). `createGrpcBreakerClientOptions` installs a transformer that stamps the channel's
 * target on the call options under a registered symbol; the interceptor names its circuits by it
 * when no `target` option was given.
 */

/** The call-option key holding the channel's target (`Symbol.for`, shared by package copies). */
export const CHANNEL_TARGET: unique symbol = Symbol.for('rpc-breaker.channel-target') as never;

/** What a grpc-js `callInvocationTransformer` receives and returns, as far as it is used here. */
export interface GrpcCallProperties {
  channel: { getTarget(): string };
  callOptions: object;
}

/**
 * A `callInvocationTransformer` that stamps the channel's target on each call's options.
 * @param next a transformer of the user's to run first, if any
 */
export function stampChannelTarget<P extends GrpcCallProperties>(
  next?: (props: P) => P,
): (props: P) => P {
  return (props) => {
    const p = next ? next(props) : props;
    return { ...p, callOptions: { ...p.callOptions, [CHANNEL_TARGET]: p.channel.getTarget() } };
  };
}

/**
 * The channel target stamped on `callOptions`, as a circuit name prefix: grpc-js's default
 * `dns:` scheme left out (`dns:10.0.0.7:50051` → `10.0.0.7:50051`); undefined when none is.
 */
export function channelTargetOf(callOptions: object): string | undefined {
  const t = (callOptions as Record<symbol, unknown>)[CHANNEL_TARGET];
  if (typeof t !== 'string' || t === '') return undefined;
  if (t.startsWith('dns:///')) return t.slice(7);
  if (t.startsWith('dns:') && !t.startsWith('dns://')) return t.slice(4);
  return t;
}
