// @ts-check
/** The same API with `ServerlessApi` (from the compiled package in lib/): every function bundled by the library. */
const path = require('path');
const cdk = require('aws-cdk-lib');
const { AccessPattern, ApiAuthorization, ApiType, ServerlessApi } = require(path.resolve(__dirname, '..', '..', '..', 'lib'));
const { functions, ISSUER, AUDIENCE, REST } = require('./shape');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'Bench');
const key = { partitionKey: 'THING#{thingId}', sortKey: 'DETAIL' };
new ServerlessApi(stack, 'Api', {
  ...(REST
    ? { apiType: ApiType.REST, authorization: ApiAuthorization.iam() }
    : { authorization: ApiAuthorization.jwt({ issuer: ISSUER, audience: AUDIENCE }) }),
  accessPatterns: {
    listThings: AccessPattern.query({ partitionKey: 'OWNER#{ownerId}', sortKeyPrefix: 'THING#' }),
    getThing: AccessPattern.getItem(key),
    putThing: AccessPattern.putItem(key),
    deleteThing: AccessPattern.deleteItem(key),
  },
  functions: Object.fromEntries(
    functions().map((fn) => [
      fn.name,
      {
        entry: fn.entry,
        accessPatterns: ['listThings', 'getThing', 'putThing', 'deleteThing'],
        routes: fn.routes.map((route) => ({ method: route.method, path: route.path })),
      },
    ]),
  ),
});
app.synth();
