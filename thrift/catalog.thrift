/*
 * Test and demo IDL for rpc-breaker's Thrift wrapper.
 *
 * Covers every shape the wrapper must handle: a base service extended twice (methods are found
 * along the prototype chain), a no-argument call, a normal reply, declared exceptions, a void
 * method, a oneway method, a non-void method the server may answer with null (the client then
 * rejects with "<name> failed: unknown result"), and a call whose server-side delay the test
 * controls. CatalogV2 adds a method that a Catalog server does not know (unknown method).
 *
 * Regenerate with `npm run gen:thrift` (needs Debian's thrift-compiler 0.17).
 */

namespace js rpcbreaker

/** Raised when no item has the requested id. */
exception NotFound {
  1: string id
}

/** Raised when the server sheds load; a caller may list it in failOn. */
exception Overloaded {
  1: string reason,
  2: i32 retryAfterMs
}

struct Item {
  1: required string id,
  2: string name,
  3: i32 priceCents,
  4: list<string> tags
}

/** What every service answers. */
service Health {
  /** Liveness: answers "pong". */
  string ping(),

  /** Name and version of the server. */
  string describe()
}

service Catalog extends Health {
  /** One item; NotFound when absent, Overloaded when the server sheds load. */
  Item getItem(1: string id) throws (1: NotFound notFound, 2: Overloaded overloaded),

  /** The first `limit` items. */
  list<Item> listItems(1: i32 limit),

  /** The item named `name`; the test server may answer null (an unset result). */
  Item findByName(1: string name),

  /** Stores an item. */
  void putItem(1: Item item) throws (1: Overloaded overloaded),

  /** Fire and forget: no reply is ever sent. */
  oneway void recordView(1: string id),

  /** Echoes `text` after `delayMs` ms (test control over slowness). */
  string delayedEcho(1: string text, 2: i32 delayMs)
}

/** A newer client: `getItemCount` is unknown to a Catalog server. */
service CatalogV2 extends Catalog {
  i32 getItemCount()
}
