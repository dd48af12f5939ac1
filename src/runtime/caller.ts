import { AsyncLocalStorage } from 'node:async_hooks';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isTagValue } from './caller-credentials';
import { requireCaller, type Principal } from './principal';
import { HttpError } from './problem';
import type { TableContext } from './table-config';
import type { AccessPatternDescriptor } from '../shared/key-shape';

const current = new AsyncLocalStorage<Principal>();

/** Runs `fn` on behalf of `principal`: caller-bound access patterns inside it take their values from it. */
export function withCaller<T>(principal: Principal, fn: () => Promise<T>): Promise<T> {
  return current.run(principal, fn);
}

/** The principal of the request being handled, inside `apiHandler`; undefined elsewhere. */
export function currentPrincipal(): Principal | undefined {
  return current.getStore();
}

function valueOf(principal: Principal, source: string): { value?: string; missing: string } {
  if (source === 'id') {
    const id = principal.kind === 'anonymous' || principal.id === 'unknown' ? undefined : principal.id;
    return { value: id, missing: 'id (a JWT without `sub`, or a Lambda authorizer without `principalId`)' };
  }
  const [kind, name] = [source.slice(0, source.indexOf(':')), source.slice(source.indexOf(':') + 1)];
  const fields =
    kind === 'claim' && principal.kind === 'jwt'
      ? principal.claims
      : kind === 'context' && principal.kind === 'lambda'
        ? principal.context
        : undefined;
  const raw = fields?.[name];
  const value = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? `${raw}` : undefined;
  return { value, missing: kind === 'claim' ? `claim "${name}"` : `authorizer context field "${name}"` };
}

/**
 * The caller's value of each bound parameter, as session tags: from the verified principal, never from the
 * request. A caller the authorizer did not identify is a 401; one whose principal lacks the attribute, or holds a
 * value no session tag can (such as `#` or `|`), a 403.
 */
export function callerTags(
  bound: { readonly [param: string]: string },
  principal: Principal | undefined,
  what: string,
): { [param: string]: string } {
  if (principal === undefined) {
    throw new Error(`${what} is bound to the caller: use it inside a route of apiHandler, which knows the caller`);
  }
  const tags: { [param: string]: string } = {};
  for (const [param, source] of Object.entries(bound)) {
    const { value, missing } = valueOf(principal, source);
    if (value === undefined || value === '') {
      // No caller at all, or one without an id, is the 401 of every route that needs its caller.
      if (principal.kind === 'anonymous' || source === 'id') requireCaller(principal);
      throw new HttpError(403, `the caller's credentials carry no ${missing}, which this route's data is bound to`);
    }
    if (!isTagValue(value)) {
      throw new HttpError(
        403,
        `the caller's ${source === 'id' ? 'id' : missing} cannot be a session tag value (1 to 256 letters, digits, spaces and _.:/=+-@), so its data cannot be bound to it`,
      );
    }
    tags[param] = value;
  }
  return tags;
}

/**
 * `values` with the bound parameters filled in from the caller. A handler that passes another caller's value
 * (say, from the path) is refused with 403 before anything is sent: IAM would refuse it anyway.
 */
export function withCallerValues(
  values: { readonly [param: string]: string | number },
  tags: { readonly [param: string]: string },
): { readonly [param: string]: string | number } {
  const merged: { [param: string]: string | number } = { ...values };
  for (const [param, value] of Object.entries(tags)) {
    const given = values[param];
    if (given !== undefined && `${given}` !== value) {
      throw new HttpError(
        403,
        `\`${param}\` is bound to the caller: the caller may reach only its own, got: ${JSON.stringify(given)}`,
      );
    }
    merged[param] = value;
  }
  return merged;
}

/**
 * The client a caller-bound pattern sends with: each call goes out on the session of the caller being served, made
 * (or taken from the cache) by `callerClient`. It has only `send`, which is all the toolkit's patterns use.
 */
export function callerBoundClient(
  table: TableContext,
  name: string,
  descriptor: AccessPatternDescriptor,
): DynamoDBDocumentClient {
  const bound = descriptor.caller ?? {};
  const send = async (command: unknown, options?: unknown) => {
    const tags = callerTags(bound, currentPrincipal(), `access pattern "${name}"`);
    if (!table.callerClient) {
      throw new Error(
        `access pattern "${name}" is bound to the caller: use a Table, which can take the caller's session`,
      );
    }
    const client = await table.callerClient(tags);
    return (client.send as (command: unknown, options?: unknown) => Promise<unknown>)(command, options);
  };
  return { send } as unknown as DynamoDBDocumentClient;
}
