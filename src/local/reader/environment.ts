/**
 * A function's environment variables, resolved to local values. Dynamic references to Secrets Manager and SSM
 * (`{{resolve:secretsmanager:...}}`), which CloudFormation resolves at deploy time, take the values the caller
 * gives in `secrets`, or a local placeholder with a warning.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
 *
 * A variable holding a secret's ARN (what `secrets` in the construct declares) is left as the ARN: the function
 * asks the local Secrets Manager for the value at run time. A secret without a value given is warned about here,
 * where the function that reads it is known.
 */

import { ReadContext } from './context';
import { ResolveError } from './resolve';
import { givenSecret, secretKeys, secretLabel, secretPlaceholder } from './secrets';
import { JsonObject, obj, refOf, T } from '../../assembly/template';

const DYNAMIC_REFERENCE = /\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]*)\}\}/g;

interface Reference {
  /** What the reference reads, as the warning names it: `secret WebhookSigningSecret (WebhookSigningSecretDD964680)`. */
  readonly label: string;
  /** The names `secrets` may give its value under, the first one preferred. */
  readonly keys: string[];
  /** What the placeholder is named after: the secret's logical id, or the name it is read by. */
  readonly id: string;
  /** Part of a JSON secret (`SecretString:<json-key>`). */
  readonly jsonKey?: string;
}

/** `{{resolve:secretsmanager:<secret-id>:SecretString:<json-key>:<stage>:<version>}}`; the id may be an ARN. */
function secretReference(ctx: ReadContext, body: string): Reference {
  const parts = body.split(':');
  const [secretId, rest] =
    parts[0] === 'arn' ? [parts.slice(0, 7).join(':'), parts.slice(7)] : [parts[0], parts.slice(1)];
  const logicalId = ctx.index
    .ofType(T.secret)
    .map(([id]) => id)
    .find((id) => ctx.resolver.ref(id) === secretId || ctx.resolver.physicalName(id) === secretId);
  const jsonKey = rest[1] === undefined || rest[1] === '' ? undefined : rest[1];
  if (logicalId === undefined) return { label: `secret ${secretId}`, keys: [secretId], id: secretId, jsonKey };
  return { label: secretLabel(ctx, logicalId), keys: secretKeys(ctx, logicalId), id: logicalId, jsonKey };
}

function referenceOf(ctx: ReadContext, service: string, body: string): Reference {
  if (service === 'secretsmanager') return secretReference(ctx, body);
  // `{{resolve:ssm:<name>:<version>}}`; a parameter's name has no colon unless it is an ARN.
  const name = body.startsWith('arn:') ? body.split(':').slice(0, 6).join(':') : body.split(':')[0];
  return { label: `SSM parameter ${name}`, keys: [name], id: name };
}

function valueOf(ctx: ReadContext, reference: Reference, where: string): string {
  const key = reference.keys.find((candidate) => ctx.options.secrets?.[candidate] !== undefined);
  const placeholder = `${secretPlaceholder(reference.id)}${reference.jsonKey ? `-${reference.jsonKey}` : ''}`;
  if (key === undefined) {
    ctx.warnings.push(
      `${where} reads ${reference.label}, which exists only in AWS: it is "${placeholder}" locally; give it a value with --secret ${reference.keys[0]}=<value> (serverless-api dev) or secrets: { "${reference.keys[0]}": "<value>" } (LocalApi)`,
    );
    return placeholder;
  }
  const value = ctx.options.secrets![key];
  if (reference.jsonKey === undefined) return value;
  let field: unknown;
  try {
    field = obj(JSON.parse(value))[reference.jsonKey];
  } catch {
    field = undefined;
  }
  if (typeof field !== 'string') {
    ctx.warnings.push(
      `${where} reads the key ${reference.jsonKey} of ${reference.label}, but secrets["${key}"] is not a JSON object with that string key: it is "${placeholder}" locally`,
    );
    return placeholder;
  }
  return field;
}

/** The function's `Environment.Variables`, each resolved to a string. */
export function readEnvironment(
  ctx: ReadContext,
  props: JsonObject,
  functionWhere: string,
): { [name: string]: string } {
  const environment: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(obj(obj(props.Environment).Variables))) {
    const where = `${functionWhere}: environment variable ${name}`;
    const secretId = refOf(value);
    if (secretId !== undefined && ctx.index.get(secretId)?.Type === T.secret && !givenSecret(ctx, secretId)) {
      const key = secretKeys(ctx, secretId)[0];
      ctx.warnings.push(
        `${where} holds the ARN of ${secretLabel(ctx, secretId)}, which exists only in AWS: the local Secrets Manager answers "${secretPlaceholder(secretId)}" for it; give it a value with --secret ${key}=<value> (serverless-api dev) or secrets: { "${key}": "<value>" } (LocalApi)`,
      );
    }
    let text: string;
    try {
      text = ctx.resolver.string(value, where);
    } catch (error) {
      if (!(error instanceof ResolveError)) throw error;
      text = `local-placeholder-${name}`;
      ctx.warnings.push(`${error.message}: it is "${text}" locally`);
    }
    environment[name] = text.replace(DYNAMIC_REFERENCE, (_match, service: string, body: string) =>
      valueOf(ctx, referenceOf(ctx, service, body), where),
    );
  }
  return environment;
}
