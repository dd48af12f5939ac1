/**
 * Reads a synthesized cloud assembly into the model the local API runs: one stack's API, the functions it invokes
 * and the tables, the queues, event buses, rules and event source mappings with the workers they invoke, every
 * intrinsic function resolved to a value for the local region and account.
 */

import * as path from 'path';
import { ReadContext, ReadOptions } from './context';
import { readFunction } from './functions';
import { readHttpApi } from './http-api';
import { readAssumableRoles } from './policies';
import { partitionOf, TemplateResolver } from './resolve';
import { readRestApi } from './rest-api';
import { readSecrets } from './secrets';
import { apiResources, selectStack, stacksWithApi } from './select';
import { readTables } from './tables';
import { readWorkers } from './workers';
import { StackArtifact, UsageError } from '../../assembly/assembly';
import { T, TemplateIndex } from '../../assembly/template';
import { LocalAppModel, LocalFunctionModel } from '../model';

export type { ReadOptions } from './context';

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_ACCOUNT = '123456789012';

/** The stack's own region or account wins: its template may already name it in ARNs. */
function environmentValue(stack: StackArtifact, option: string, own?: string, given?: string): string | undefined {
  if (own !== undefined && given !== undefined && own !== given) {
    throw new UsageError(
      `stack ${stack.displayName} is bound to ${option} ${own} (its template may name it in ARNs), so the ${option} option cannot be ${given}: leave the option out`,
    );
  }
  return own ?? given;
}

/** Reads the stack `options.stack` names, or the one stack of the assembly that holds an API. */
export function readLocalApp(assemblyDir: string, options: ReadOptions = {}): LocalAppModel {
  const stack = selectStack(assemblyDir, options.stack);
  const apis = apiResources(stack.template);
  if (apis.length > 1) {
    throw new UsageError(
      `stack ${stack.displayName} holds ${apis.length} APIs (${apis.join(', ')}): the local API runs one API per stack, so give each API a stack of its own`,
    );
  }
  const region = environmentValue(stack, 'region', stack.region, options.region) ?? DEFAULT_REGION;
  const accountId = environmentValue(stack, 'account', stack.account, options.accountId) ?? DEFAULT_ACCOUNT;
  const ctx: ReadContext = {
    stack,
    index: new TemplateIndex(stack.template, { stackPath: stack.displayName, constructPaths: stack.constructPaths }),
    resolver: new TemplateResolver(stack.template, {
      stackName: stack.cloudFormationName,
      region,
      accountId,
      ...partitionOf(region),
    }),
    options,
    warnings: [],
  };
  const apiId = apis[0];
  const reading = ctx.index.get(apiId)?.Type === T.restApi ? readRestApi(ctx, apiId) : readHttpApi(ctx, apiId);
  const tables = readTables(ctx);
  const workers = readWorkers(ctx, tables);
  const functions: { [logicalId: string]: LocalFunctionModel } = {};
  for (const [id] of options.functions === false ? [] : ctx.index.ofType(T.function)) {
    if (reading.functionIds.has(id) || workers.functionIds.has(id)) functions[id] = readFunction(ctx, id);
  }
  return {
    stackName: stack.displayName,
    region,
    accountId,
    api: reading.api,
    functions,
    tables,
    roles: readAssumableRoles(ctx),
    secrets: readSecrets(ctx),
    workers: workers.workers,
    assemblyDir: path.resolve(assemblyDir),
    warnings: ctx.warnings,
  };
}

/** The display names of the stacks of the assembly (nested ones included) that hold an API the local API runs. */
export function listLocalApps(assemblyDir: string): string[] {
  return stacksWithApi(assemblyDir).withApi.map((stack) => stack.displayName);
}
