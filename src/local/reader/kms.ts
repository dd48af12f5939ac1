/**
 * The customer managed KMS key a resource names (a secret's `KmsKeyId`, a queue's `KmsMasterKeyId`), whose use the
 * caller's own policies must allow. The AWS managed keys (`alias/aws/...`) are left out: their key policies let the
 * service use them for every principal of the account. So is another alias, which names no key until deployed.
 * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-mgmt
 */

import { ReadContext } from './context';
import { ResolveError } from './resolve';

/** The key's ARN (given as an ARN or a key id); undefined for an AWS managed key or an alias. */
export function customerKeyArn(ctx: ReadContext, value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  let resolved: string;
  try {
    resolved = ctx.resolver.string(value, where);
  } catch (error) {
    if (error instanceof ResolveError) return undefined;
    throw error;
  }
  if (/^arn:[^:]+:kms:[^:]*:[^:]*:key\//.test(resolved)) return resolved;
  if (/^[0-9a-f-]{36}$|^mrk-[0-9a-f]{32}$/.test(resolved)) {
    const { partition, region, accountId } = ctx.resolver.env;
    return `arn:${partition}:kms:${region}:${accountId}:key/${resolved}`;
  }
  return undefined;
}
