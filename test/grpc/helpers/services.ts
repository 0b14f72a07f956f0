/**
 * The test services of protos/, loaded with @grpc/proto-loader, plus typed client shapes for the
 * methods the tests call.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository's `protos/` folder. */
export const protosDir = fileURLToPath(new URL('../../../protos/', import.meta.url));

const loaderOptions: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [protosDir],
};

/** A request of the Echo service. */
export interface EchoRequest {
  message?: string;
  count?: number;
}

/** A reply of the Echo service. */
export interface EchoReply {
  message: string;
  index: number;
  server: string;
  caller: string;
}

type UnaryCallback<T> = (error: grpc.ServiceError | null, value?: T) => void;

/** The Echo client as the tests use it. */
export interface EchoClient extends grpc.Client {
  Say(
    req: EchoRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    cb: UnaryCallback<EchoReply>,
  ): grpc.ClientUnaryCall;
  Repeat(
    req: EchoRequest,
    metadata?: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<EchoReply>;
  Collect(
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    cb: UnaryCallback<EchoReply>,
  ): grpc.ClientWritableStream<EchoRequest>;
  Chat(
    metadata?: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<EchoRequest, EchoReply>;
}

/** A catalog item. */
export interface Item {
  id: string;
  name: string;
  priceCents: number;
  server: string;
}

/** The Catalog client as the tests use it. */
export interface CatalogClient extends grpc.Client {
  GetItem(
    req: { id: string },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    cb: UnaryCallback<Item>,
  ): grpc.ClientUnaryCall;
  PutItem(
    req: { item: Partial<Item> },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    cb: UnaryCallback<{ created: boolean }>,
  ): grpc.ClientUnaryCall;
  ListItems(
    req: { limit?: number },
    metadata?: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<Item>;
}

/** The constructor of a generated client. */
export type ClientConstructor<C> = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
) => C;

interface Loaded {
  Echo: grpc.ServiceClientConstructor;
  Catalog: grpc.ServiceClientConstructor;
  Health: grpc.ServiceClientConstructor;
}

function load(): Loaded {
  const def = protoLoader.loadSync(
    ['echo.proto', 'catalog.proto', 'grpc/health/v1/health.proto'],
    loaderOptions,
  );
  const root = grpc.loadPackageDefinition(def) as any;
  return {
    Echo: root.rpcbreaker.echo.v1.Echo,
    Catalog: root.rpcbreaker.catalog.v1.Catalog,
    Health: root.grpc.health.v1.Health,
  };
}

/** The loaded services: `service` for `server.addService`, the constructors for clients. */
export const services = load();

/** Constructor of the Echo client. */
export const EchoClientCtor = services.Echo as unknown as ClientConstructor<EchoClient>;
/** Constructor of the Catalog client. */
export const CatalogClientCtor = services.Catalog as unknown as ClientConstructor<CatalogClient>;

/** Method paths, as the interceptor sees them. */
export const paths = {
  say: '/rpcbreaker.echo.v1.Echo/Say',
  repeat: '/rpcbreaker.echo.v1.Echo/Repeat',
  collect: '/rpcbreaker.echo.v1.Echo/Collect',
  chat: '/rpcbreaker.echo.v1.Echo/Chat',
  getItem: '/rpcbreaker.catalog.v1.Catalog/GetItem',
  putItem: '/rpcbreaker.catalog.v1.Catalog/PutItem',
  listItems: '/rpcbreaker.catalog.v1.Catalog/ListItems',
} as const;
