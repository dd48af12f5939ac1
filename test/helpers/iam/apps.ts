import { App, NestedStack, Stack, Stage, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { StackModel, loadStack } from './model';
import { CfnTemplate } from './template';
import { TaskBoardStack } from '../../../integ/task-board/stack';
import {
  AccessPattern,
  ApiAuthorization,
  ApiEventBus,
  ApiStacks,
  ApiType,
  CallerAttribute,
  ServerlessApi,
  TableEncryption,
} from '../../../src';
import { loadStackArtifacts } from '../../../src/assembly/assembly';
import { ENV, HANDLER_ENTRY, buildApi, fn, fullyConfigured, jwt, newStack, route } from '../api';

/** One synthesized app whose roles the least-privilege suite evaluates. */
export interface AppUnderTest {
  readonly name: string;
  readonly model: StackModel;
}

/** The stack's template as the evaluator reads it, with the stack's own account and region when concrete. */
export function modelOf(stack: Stack): StackModel {
  const concrete = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  const env = { account: concrete(stack.account), region: concrete(stack.region) };
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  // With nested stacks, the template as the readers see it: one template holding the nested stacks' resources.
  const nested = stack.node.findAll().some((c) => NestedStack.isNestedStack(c));
  const flattened = nested
    ? loadStackArtifacts(Stage.of(stack)!.synth().directory).find((s) => s.artifactId === stack.artifactId)!.template
    : template;
  return loadStack(flattened as CfnTemplate, {
    ...(env.account ? { account: env.account } : {}),
    ...(env.region ? { region: env.region } : {}),
  });
}

/**
 * What the other apps leave out: a Lambda authorizer, a Scan of an index, a delete, a shape with two
 * parameters, a customer-managed key, a second API on an existing table in the same stack, and secrets read at run
 * time (one under a customer-managed key by a route function, one known by name only by the authorizer).
 */
function edgeCases(): Stack {
  const stack = newStack({ env: ENV });
  const keyed = new secretsmanager.Secret(stack, 'MembersToken', {
    encryptionKey: new kms.Key(stack, 'MembersTokenKey', { enableKeyRotation: true }),
  });
  const byName = secretsmanager.Secret.fromSecretNameV2(stack, 'TokenHashes', 'auth/token-hashes');
  new ServerlessApi(stack, 'Api', {
    authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, secrets: { TOKEN_HASHES: byName } }),
    table: {
      encryption: TableEncryption.customerManaged(),
      globalSecondaryIndexes: [{ indexName: 'byOwner', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' }],
    },
    accessPatterns: {
      getMember: AccessPattern.getItem({ partitionKey: 'ORG#{orgId}#TEAM#{teamId}', sortKey: 'MEMBER#{userId}' }),
      removeMember: AccessPattern.deleteItem({ partitionKey: 'ORG#{orgId}#TEAM#{teamId}', sortKey: 'MEMBER#{userId}' }),
      teamsOfOwner: AccessPattern.query({ partitionKey: 'OWNER#{userId}', indexName: 'byOwner' }),
      ownerReport: AccessPattern.scan({ indexName: 'byOwner' }),
    },
    functions: {
      members: fn([route(HttpMethod.DELETE, '/orgs/{orgId}/teams/{teamId}/members/{userId}')], {
        accessPatterns: ['getMember', 'removeMember'],
        secrets: { MEMBERS_TOKEN: keyed },
      }),
      owners: fn([route(HttpMethod.GET, '/owners/{userId}/teams')], { accessPatterns: ['teamsOfOwner'] }),
      reports: fn([route(HttpMethod.GET, '/reports/owners')], { accessPatterns: ['ownerReport'] }),
      health: fn([route(HttpMethod.GET, '/health', { authorization: ApiAuthorization.none() })]),
    },
  });
  new ServerlessApi(stack, 'Audit', {
    authorization: jwt(),
    existingTable: { table: dynamodb.TableV2.fromTableName(stack, 'AuditTable', 'audit-log') },
    accessPatterns: { recordAudit: AccessPattern.putItem({ partitionKey: 'AUDIT#{day}', sortKey: 'EVENT#{id}' }) },
    functions: { audit: fn([route(HttpMethod.POST, '/audit')], { accessPatterns: ['recordAudit'] }) },
  });
  return stack;
}

/**
 * Caller-bound patterns: a shop whose carts, preferences and sessions live under `USER#{userId}` bound to the caller's
 * id, whose tenant orders are read through an index bound to a JWT claim, and whose orders are keyed by two bound
 * parameters; functions mixing bound and unbound patterns, and a customer-managed key.
 */
export function callerBoundShop(stacks?: ApiStacks, apiType: ApiType = ApiType.HTTP): Stack {
  const stack = newStack({ env: ENV });
  const byUser = { userId: CallerAttribute.id() };
  const byTenant = { tenantId: CallerAttribute.claim('tenantId') };
  new ServerlessApi(stack, 'Shop', {
    stacks,
    apiType,
    authorization: apiType === ApiType.REST ? ApiAuthorization.cognito() : jwt(),
    table: {
      encryption: TableEncryption.customerManaged(),
      globalSecondaryIndexes: [{ indexName: 'byTenant', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' }],
    },
    accessPatterns: {
      getCart: AccessPattern.getItem({ partitionKey: 'USER#{userId}', sortKey: 'CART', callerBound: byUser }),
      saveCart: AccessPattern.putItem({ partitionKey: 'USER#{userId}', sortKey: 'CART', callerBound: byUser }),
      setPreferences: AccessPattern.updateItem({
        partitionKey: 'USER#{userId}',
        sortKey: 'PREFERENCES',
        callerBound: byUser,
      }),
      listSessions: AccessPattern.query({
        partitionKey: 'USER#{userId}',
        sortKeyPrefix: 'SESSION#',
        callerBound: byUser,
      }),
      endSession: AccessPattern.deleteItem({
        partitionKey: 'USER#{userId}',
        sortKey: 'SESSION#{sessionId}',
        callerBound: byUser,
      }),
      tenantOrders: AccessPattern.query({
        partitionKey: 'TENANT#{tenantId}',
        indexName: 'byTenant',
        callerBound: byTenant,
      }),
      placeOrder: AccessPattern.putItem({
        partitionKey: 'TENANT#{tenantId}#USER#{userId}',
        sortKey: 'ORDER#{orderId}',
        callerBound: { ...byTenant, ...byUser },
      }),
      getProduct: AccessPattern.getItem({ partitionKey: 'PRODUCT#{productId}', sortKey: 'DETAILS' }),
    },
    functions: {
      cart: fn([route(HttpMethod.PUT, '/cart')], { accessPatterns: ['getCart', 'saveCart', 'getProduct'] }),
      preferences: fn([route(HttpMethod.PATCH, '/preferences')], { accessPatterns: ['setPreferences'] }),
      sessions: fn([route(HttpMethod.DELETE, '/sessions/{sessionId}')], {
        accessPatterns: ['listSessions', 'endSession'],
      }),
      orders: fn([route(HttpMethod.POST, '/orders')], { accessPatterns: ['tenantOrders', 'placeOrder', 'getProduct'] }),
    },
  });
  return stack;
}

/** Caller-bound patterns behind a Lambda authorizer: its context and the caller's id bind the partition. */
export function callerBoundPartners(): Stack {
  const stack = newStack({ env: ENV });
  new ServerlessApi(stack, 'Partners', {
    authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
    accessPatterns: {
      partnerOrders: AccessPattern.query({
        partitionKey: 'PARTNER#{partnerId}',
        sortKeyPrefix: 'ORDER#',
        callerBound: { partnerId: CallerAttribute.context('partnerId') },
      }),
      agentNotes: AccessPattern.putItem({
        partitionKey: 'PARTNER#{partnerId}#AGENT#{agentId}',
        sortKey: 'NOTE#{noteId}',
        callerBound: { partnerId: CallerAttribute.context('partnerId'), agentId: CallerAttribute.id() },
      }),
    },
    functions: {
      partners: fn([route(HttpMethod.GET, '/partner/orders')], { accessPatterns: ['partnerOrders', 'agentNotes'] }),
    },
  });
  return stack;
}

/**
 * Write-sharded partitions: orders of the day spread over 10 shards (written, read, changed and listed by
 * different functions), a tenant's events over 4 shards per tenant, beside an unsharded pattern of the same prefix.
 */
export function writeShardedOrders(): Stack {
  const stack = newStack({ env: ENV });
  const order = { partitionKey: 'ORDERS#{shard}', sortKey: 'ORDER#{orderId}', shards: 10 };
  const event = { partitionKey: 'TENANT#{tenantId}#EVENTS#{shard}', shards: 4 };
  new ServerlessApi(stack, 'Orders', {
    authorization: jwt(),
    accessPatterns: {
      placeOrder: AccessPattern.putItem(order),
      getOrder: AccessPattern.getItem(order),
      shipOrder: AccessPattern.updateItem(order),
      cancelOrder: AccessPattern.deleteItem(order),
      listOrders: AccessPattern.query({ partitionKey: order.partitionKey, sortKeyPrefix: 'ORDER#', shards: 10 }),
      recordEvent: AccessPattern.putItem({ ...event, sortKey: 'EVENT#{eventId}' }),
      listEvents: AccessPattern.query(event),
      getTenant: AccessPattern.getItem({ partitionKey: 'TENANT#{tenantId}', sortKey: 'PROFILE' }),
    },
    functions: {
      checkout: fn([route(HttpMethod.POST, '/orders')], { accessPatterns: ['placeOrder', 'getOrder'] }),
      fulfilment: fn([route(HttpMethod.PATCH, '/orders/{orderId}')], {
        accessPatterns: ['shipOrder', 'cancelOrder', 'listOrders'],
      }),
      events: fn([route(HttpMethod.POST, '/tenants/{tenantId}/events')], {
        accessPatterns: ['recordEvent', 'listEvents', 'getTenant'],
      }),
    },
  });
  return stack;
}

/**
 * Queues and workers: a route function sending to a standard queue on SSE-SQS, whose worker reads the table and sends
 * to a FIFO queue under a customer-managed key, whose worker sends nowhere; another route function sending to no queue.
 */
export function queuesApp(): Stack {
  const stack = newStack({ env: ENV });
  new ServerlessApi(stack, 'Api', {
    authorization: jwt(),
    accessPatterns: {
      getUpload: AccessPattern.getItem({ partitionKey: 'UPLOAD#{uploadId}', sortKey: 'META' }),
      putThumbnail: AccessPattern.putItem({ partitionKey: 'UPLOAD#{uploadId}', sortKey: 'THUMBNAIL' }),
    },
    functions: {
      uploads: fn([route(HttpMethod.POST, '/uploads')], { accessPatterns: ['getUpload'], queues: ['thumbnails'] }),
      health: fn([route(HttpMethod.GET, '/health', { authorization: ApiAuthorization.none() })]),
    },
    queues: {
      thumbnails: {
        worker: { entry: HANDLER_ENTRY, accessPatterns: ['getUpload', 'putThumbnail'], queues: ['notifications'] },
      },
      notifications: {
        fifo: true,
        encryptionKey: new kms.Key(stack, 'NotificationsKey', { enableKeyRotation: true }),
        worker: { entry: HANDLER_ENTRY },
      },
    },
  });
  return stack;
}

/**
 * Workers of the bus and of the table's stream beside publishing route functions, on a customer-managed key: roles
 * with events, stream and dead-letter statements besides their patterns.
 */
export function eventAndStreamWorkers(): Stack {
  const stack = newStack({ env: ENV });
  new ServerlessApi(stack, 'Api', {
    authorization: jwt(),
    table: { encryption: TableEncryption.customerManaged() },
    accessPatterns: {
      getOrder: AccessPattern.getItem({ partitionKey: 'ORDER#{orderId}', sortKey: 'ORDER' }),
      addToTotal: AccessPattern.updateItem({ partitionKey: 'TOTAL#{day}', sortKey: 'TOTAL' }),
    },
    functions: {
      orders: fn([route(HttpMethod.POST, '/orders')], {
        accessPatterns: ['getOrder'],
        publishes: [{ source: 'com.example.orders', detailTypes: ['OrderPlaced'] }],
      }),
    },
    events: {
      bus: ApiEventBus.create({ eventBusName: 'orders' }),
      workers: { fulfil: { entry: HANDLER_ENTRY, sources: ['com.example.orders'], accessPatterns: ['getOrder'] } },
    },
    tableStream: { workers: { totals: { entry: HANDLER_ENTRY, accessPatterns: ['addToTotal'] } } },
  });
  return stack;
}

/** Every app under test, synthesized once per test file. */
export function appsUnderTest(): AppUnderTest[] {
  return [
    { name: 'task-board', model: modelOf(new TaskBoardStack(new App(), 'TaskBoard', {})) },
    { name: 'defaultProps', model: modelOf(buildApi().stack) },
    { name: 'fullyConfigured', model: modelOf(fullyConfigured().stack) },
    { name: 'edge-cases', model: modelOf(edgeCases()) },
    { name: 'caller-bound-shop', model: modelOf(callerBoundShop()) },
    // The same shop with its route functions, roles and caller roles in nested stacks, the table's ARN passed in.
    { name: 'caller-bound-shop-nested', model: modelOf(callerBoundShop(ApiStacks.nested({ stackCount: 3 }))) },
    // The same on a REST API: its methods, with an invoke role per nested stack, beside the functions.
    {
      name: 'caller-bound-shop-rest-nested',
      model: modelOf(callerBoundShop(ApiStacks.nested({ stackCount: 3 }), ApiType.REST)),
    },
    { name: 'caller-bound-partners', model: modelOf(callerBoundPartners()) },
    { name: 'write-sharded-orders', model: modelOf(writeShardedOrders()) },
    { name: 'queues', model: modelOf(queuesApp()) },
    { name: 'event-and-stream-workers', model: modelOf(eventAndStreamWorkers()) },
  ];
}
