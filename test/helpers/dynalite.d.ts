// dynalite ships no type declarations; this covers the part the tests use.
declare module 'dynalite' {
  import type { Server } from 'http';

  interface DynaliteOptions {
    /** Milliseconds a new table stays in CREATING state (default 500). */
    readonly createTableMs?: number;
    /** Directory of an on-disk store; in memory when omitted. */
    readonly path?: string;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
