/** The catalog service of protos/catalog.proto, loaded for the resilience benchmark. */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const protosDir = fileURLToPath(new URL('../../protos/', import.meta.url));

export interface Item {
  id: string;
  name: string;
  priceCents: number;
  server: string;
}

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;

/** The Catalog client as the benchmark uses it. */
export interface CatalogClient extends grpc.Client {
  GetItem(
    req: { id: string },
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: Callback<Item>,
  ): grpc.ClientUnaryCall;
  PutItem(
    req: { item: Partial<Item> },
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: Callback<{ created: boolean }>,
  ): grpc.ClientUnaryCall;
}

/** Loads the Catalog service definition and client constructor. */
export function loadCatalog(): {
  service: grpc.ServiceDefinition;
  Client: new (
    address: string,
    creds: grpc.ChannelCredentials,
    options?: grpc.ClientOptions,
  ) => CatalogClient;
} {
  const def = protoLoader.loadSync('catalog.proto', {
    keepCase: false,
    longs: Number,
    defaults: true,
    includeDirs: [protosDir],
  });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const ctor = pkg.rpcbreaker.catalog.v1.Catalog;
  return { service: ctor.service, Client: ctor };
}
