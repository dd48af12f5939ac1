/**
 * Write-sharded access patterns of the runtime tests: orders sharded 10 ways, a tenant's orders sharded 8 ways (one
 * tenant per test, so tests share the table without sharing a list), and the helpers that fill and page them.
 */
import type { AccessPatterns, RuntimeTable } from './util';
import type { Page, QueryPattern } from '../../src/runtime/query';

const ORDER = { partitionKey: ['PK', 'ORDERS#{shard}'], sortKey: ['SK', 'ORDER#{orderId}'], shards: 10 } as const;
const TENANT_ORDER = {
  partitionKey: ['PK', 'TENANT#{tenantId}#ORDERS#{shard}'],
  sortKey: ['SK', 'ORDER#{orderId}'],
  shards: 8,
} as const;
export const SHARDED_PATTERNS: AccessPatterns = {
  placeOrder: { operation: 'PutItem', ...ORDER },
  getOrder: { operation: 'GetItem', ...ORDER },
  shipOrder: { operation: 'UpdateItem', ...ORDER },
  cancelOrder: { operation: 'DeleteItem', ...ORDER },
  putTenantOrder: { operation: 'PutItem', ...TENANT_ORDER },
  listTenantOrders: {
    operation: 'Query',
    partitionKey: TENANT_ORDER.partitionKey,
    sortKey: ['SK', 'ORDER#'],
    shards: 8,
  },
  listTenantItems: { operation: 'Query', partitionKey: TENANT_ORDER.partitionKey, shards: 8 },
  listTasks: { operation: 'Query', partitionKey: ['PK', 'PROJECT#{projectId}'], sortKey: ['SK', 'TASK#'] },
};

/** Writes orders of `tenantId` through the sharded put, `width` at a time. */
export async function placeTenantOrders(
  rt: RuntimeTable,
  tenantId: string,
  ids: readonly string[],
  extra: object = {},
  width = 20,
): Promise<void> {
  const put = rt.table.item('putTenantOrder');
  for (let i = 0; i < ids.length; i += width) {
    await Promise.all(ids.slice(i, i + width).map((orderId) => put.put({ tenantId, orderId }, { orderId, ...extra })));
  }
}

/** Every page of a list, following the cursors. */
export async function allPages(
  pattern: QueryPattern,
  values: object,
  options: { limit: number; descending?: boolean },
): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const page = await pattern.page(values as { [param: string]: string }, { ...options, cursor });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

/** Order ids in a scrambled order, zero-padded so their sort order is their number's. */
export function orderIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${String((i * 37) % count).padStart(3, '0')}`);
}
