// @ts-check
/**
 * The app every variant synthesizes: `ROUTES` routes over ceil(ROUTES / 4) functions, each function with its own
 * entry file in `ENTRIES` (fn0.ts, fn1.ts, ...) and up to four routes on its own resource, all behind one JWT
 * authorizer, and one table. With `API=rest` a REST API behind IAM authorization on the same paths: 1,000 routes make 500 path
 * resources, which go to the API's path stacks.
 */
const path = require('path');

const ROUTES = Number(process.env.ROUTES ?? 10);
const ENTRIES = process.env.ENTRIES ?? path.resolve('handlers');
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_bench';
const AUDIENCE = ['bench-client'];
const REST = process.env.API === 'rest';
const METHODS = [
  ['GET', ''],
  ['POST', ''],
  ['GET', '/{thingId}'],
  ['DELETE', '/{thingId}'],
];

/** @returns {{ name: string, entry: string, routes: { method: string, path: string }[] }[]} */
function functions() {
  const count = Math.ceil(ROUTES / 4);
  return Array.from({ length: count }, (_, i) => ({
    name: `fn${i}`,
    entry: path.join(ENTRIES, `fn${i}.ts`),
    routes: METHODS.slice(0, Math.min(4, ROUTES - i * 4)).map(([method, suffix]) => ({
      method,
      path: `/things${i}${suffix}`,
    })),
  }));
}

module.exports = { functions, ISSUER, AUDIENCE, REST };
