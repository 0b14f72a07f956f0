/**
 * The circuit policy of one endpoint: the registration's policy, plus, when re-admission is by
 * health check, a `halfOpenProbe` that sends `grpc.health.v1.Health/Check` over that endpoint's
 * own subchannel (a one-subchannel channel grpc-js gives every subchannel), so the check reaches
 * exactly the endpoint under test and not whichever one the channel would pick.
 */
import type * as Grpc from '@grpc/grpc-js';
import type { CircuitPolicy } from '../../core/policy.js';
import { createGrpcHealthProbe } from '../health-probe.js';
import type { EndpointEntry } from '../../registry/endpoint-book.js';
import type { ValidatedEndpointOptions } from './endpoint-options.js';

/** The circuit policy of `entry`'s endpoint. */
export function endpointProbePolicy(
  grpc: typeof Grpc,
  o: ValidatedEndpointOptions,
  entry: EndpointEntry,
): CircuitPolicy {
  const check = o.healthCheck;
  if (!check) return o.circuit;
  return {
    ...o.circuit,
    halfOpenProbe: async () => {
      const target = entry.targets.values().next().value;
      if (!target?.getChannel) throw new Error(`no connection to ${entry.address}`);
      const channel = target.getChannel() as Grpc.Channel;
      const client = new grpc.Client(entry.address, grpc.credentials.createInsecure(), {
        channelOverride: channel,
      });
      await createGrpcHealthProbe(client, check)();
    },
  };
}
