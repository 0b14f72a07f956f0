/**
 * Typed access to the Thrift code generated from thrift/catalog.thrift, in both styles.
 *
 * The generated code is CommonJS (each gen-* folder has a package.json saying so) and ships .d.ts
 * files, so it is loaded with `createRequire` — the same way Node would load it for a user — and
 * typed with `typeof import(...)` of those declarations. Both styles load the one copy of npm
 * `thrift` in node_modules.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type NodeCatalog = typeof import('../../../thrift/gen-nodejs/Catalog.js');
type NodeCatalogV2 = typeof import('../../../thrift/gen-nodejs/CatalogV2.js');
type NodeHealth = typeof import('../../../thrift/gen-nodejs/Health.js');
type Es6Catalog = typeof import('../../../thrift/gen-es6/Catalog.js');
type Es6CatalogV2 = typeof import('../../../thrift/gen-es6/CatalogV2.js');
type Es6Health = typeof import('../../../thrift/gen-es6/Health.js');
type NodeTypes = typeof import('../../../thrift/gen-nodejs/catalog_types.js');
type Es6Types = typeof import('../../../thrift/gen-es6/catalog_types.js');

/** The npm `thrift` module the generated code uses. */
export const thrift = require('thrift') as typeof import('thrift');

/** `js:node,ts` output: callback-style clients. */
export const gen = {
  Health: require('../../../thrift/gen-nodejs/Health.js') as NodeHealth,
  Catalog: require('../../../thrift/gen-nodejs/Catalog.js') as NodeCatalog,
  CatalogV2: require('../../../thrift/gen-nodejs/CatalogV2.js') as NodeCatalogV2,
  types: require('../../../thrift/gen-nodejs/catalog_types.js') as NodeTypes,
};

/** `js:node,ts,es6` output: Promise-style client classes. */
export const genEs6 = {
  Health: require('../../../thrift/gen-es6/Health.js') as Es6Health,
  Catalog: require('../../../thrift/gen-es6/Catalog.js') as Es6Catalog,
  CatalogV2: require('../../../thrift/gen-es6/CatalogV2.js') as Es6CatalogV2,
  types: require('../../../thrift/gen-es6/catalog_types.js') as Es6Types,
};

/** A callback-style Catalog client. */
export type NodeCatalogClient = InstanceType<NodeCatalog['Client']>;
/** A callback-style CatalogV2 client (knows `getItemCount`, which a Catalog server does not). */
export type NodeCatalogV2Client = InstanceType<NodeCatalogV2['Client']>;
/** A Promise-style Catalog client. */
export type Es6CatalogClient = InstanceType<Es6Catalog['Client']>;
/** A Promise-style CatalogV2 client. */
export type Es6CatalogV2Client = InstanceType<Es6CatalogV2['Client']>;
/** The generated `Item` struct. */
export type Item = InstanceType<NodeTypes['Item']>;

/** The two generated client styles. */
export type ClientStyle = 'callback' | 'es6';
