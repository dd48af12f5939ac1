/** What every part of the reader works from: the stack, its template index, the resolver and the warnings. */

import { ResolveError, TemplateResolver } from './resolve';
import { StackArtifact } from '../../assembly/assembly';
import { JsonObject, num, refOf, T, TemplateIndex } from '../../assembly/template';
import { LocalApiModel } from '../model';

/** How to read a cloud assembly into a local app. */
export interface ReadOptions {
  /** The stack to run: its display name (`Stage/Stack`) or artifact id; needed when several stacks hold an API. */
  readonly stack?: string;
  /** The region local ARNs use; default `us-east-1`, or the stack's own when the manifest names one. */
  readonly region?: string;
  /** The account local ARNs use; default `123456789012`, or the stack's own when the manifest names one. */
  readonly accountId?: string;
  /**
   * Values of the stack's secrets, which the local Secrets Manager serves to the functions that declare them and
   * which dynamic references in an environment (`{{resolve:secretsmanager:...}}`, SSM) take, by the secret's
   * construct name, logical id or name; the others get a local placeholder and a warning.
   */
  readonly secrets?: { readonly [name: string]: string };
  /**
   * Whether to read the functions (code folder, environment, role). Without them the model has the API, its routes,
   * authorizers and tables, which is all a dev token needs, and an assembly synthesized without bundling reads.
   * @default true
   */
  readonly functions?: boolean;
}

/** What an API reader found: the API, and the functions its routes and authorizers invoke. */
export interface ApiReading {
  readonly api: LocalApiModel;
  readonly functionIds: ReadonlySet<string>;
}

export interface ReadContext {
  readonly stack: StackArtifact;
  readonly index: TemplateIndex;
  readonly resolver: TemplateResolver;
  readonly options: ReadOptions;
  /** What the local API cannot run as deployed; the caller shows them to the user. */
  readonly warnings: string[];
}

export function propsOf(ctx: ReadContext, logicalId: string | undefined): JsonObject {
  return ctx.index.props(logicalId);
}

/** `tasks (ApiFunctionstasksFunctionE973E7DF)`: the declared name for the reader, the logical id for the template. */
export function describeResource(ctx: ReadContext, logicalId: string): string {
  const name = ctx.index.name(logicalId);
  return name === logicalId ? logicalId : `${name} (${logicalId})`;
}

/** The function's ARN inside an integration or authorizer URI, without a version or alias qualifier. */
function unqualifiedFunctionArn(uri: string): string {
  const inPath = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri);
  const arn = inPath ? decodeURIComponent(inPath[1]) : uri;
  const parts = arn.split(':');
  return parts.length > 7 && parts[5] === 'function' ? parts.slice(0, 7).join(':') : arn;
}

/**
 * The logical id of the stack's Lambda function a URI invokes: found in the template's references, or by its
 * resolved ARN; undefined for anything else (another stack's function, an HTTP backend).
 */
export function invokedFunction(ctx: ReadContext, uri: unknown, where: string): string | undefined {
  const direct = ctx.index.functionIn(uri);
  if (direct !== undefined || uri === undefined) return direct;
  const resolved = resolvedOrUndefined(() => ctx.resolver.string(uri, where));
  if (resolved === undefined) return undefined;
  const arn = unqualifiedFunctionArn(resolved);
  return ctx.index
    .ofType(T.function)
    .map(([id]) => id)
    .find((id) => ctx.resolver.getAtt(id, 'Arn') === arn);
}

/** A value from another stack (`Fn::ImportValue`) cannot be this stack's: it refers to nothing here. */
function resolvedOrUndefined<R>(resolve: () => R): R | undefined {
  try {
    return resolve();
  } catch (error) {
    if (error instanceof ResolveError) return undefined;
    throw error;
  }
}

/** Whether a reference (`Ref`, or a value that resolves to the same id) points at the resource. */
export function refersTo(ctx: ReadContext, value: unknown, logicalId: string): boolean {
  if (value === undefined) return false;
  if (refOf(value) === logicalId) return true;
  const resolved = resolvedOrUndefined(() => ctx.resolver.resolve(value));
  return typeof resolved === 'string' && resolved === ctx.resolver.ref(logicalId);
}

/** A number property; CloudFormation accepts numbers written as strings. */
export function numberOf(ctx: ReadContext, value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  const resolved = num(ctx.resolver.resolve(value));
  if (resolved === undefined) throw new ResolveError(`${where} must be a number, got: ${JSON.stringify(value)}`);
  return resolved;
}

/** A boolean property; CloudFormation accepts `"true"` and `"false"`. */
export function booleanOf(ctx: ReadContext, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  const resolved = ctx.resolver.resolve(value);
  return resolved === true || resolved === 'true';
}
