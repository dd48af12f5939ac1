/**
 * What a Lambda authorizer returned, read as API Gateway reads it. HTTP APIs with simple responses take
 * `{ isAuthorized, context }`; otherwise both API types take `{ principalId, policyDocument, context }` (REST also
 * `usageIdentifierKey`). REST context values must be strings, numbers or booleans and reach the integration as
 * strings; HTTP context values may be any JSON.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.payload-format-response
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */
import { isObject } from './jwt-verify';
import { parsePolicyDocument, type AuthorizerPolicy } from './policy';

export type AuthorizerResult =
  | {
      readonly kind: 'simple';
      readonly isAuthorized: boolean;
      readonly context: { readonly [key: string]: unknown } | null;
    }
  | {
      readonly kind: 'policy';
      readonly principalId?: string;
      readonly policy: AuthorizerPolicy;
      readonly context: { readonly [key: string]: unknown } | null;
      readonly usageIdentifierKey?: string;
    };

export type ResultRead =
  { readonly ok: true; readonly result: AuthorizerResult } | { readonly ok: false; readonly reason: string };

/** Reads the payload of an HTTP API authorizer with simple responses. */
export function readSimpleResult(payload: unknown): ResultRead {
  if (!isObject(payload)) {
    return { ok: false, reason: `the answer is ${describe(payload)}, not { isAuthorized, context }` };
  }
  if (typeof payload.isAuthorized !== 'boolean') {
    return {
      ok: false,
      reason: `\`isAuthorized\` must be true or false, got: ${JSON.stringify(payload.isAuthorized)}`,
    };
  }
  const context = readContext(payload.context, false);
  if (!context.ok) return context;
  return { ok: true, result: { kind: 'simple', isAuthorized: payload.isAuthorized, context: context.value } };
}

/** Reads the payload of an authorizer answering with an IAM policy. */
export function readPolicyResult(payload: unknown, api: 'HTTP' | 'REST'): ResultRead {
  if (!isObject(payload)) {
    return { ok: false, reason: `the answer is ${describe(payload)}, not { principalId, policyDocument, context }` };
  }
  if (api === 'REST' && typeof payload.principalId !== 'string') {
    return { ok: false, reason: `\`principalId\` must be a string, got: ${JSON.stringify(payload.principalId)}` };
  }
  if (payload.principalId !== undefined && typeof payload.principalId !== 'string') {
    return { ok: false, reason: `\`principalId\` must be a string, got: ${JSON.stringify(payload.principalId)}` };
  }
  const policy = parsePolicyDocument(payload.policyDocument);
  if (!policy.ok) return policy;
  const context = readContext(payload.context, api === 'REST');
  if (!context.ok) return context;
  const key = payload.usageIdentifierKey;
  if (key !== undefined && key !== null && typeof key !== 'string') {
    return { ok: false, reason: `\`usageIdentifierKey\` must be a string, got: ${JSON.stringify(key)}` };
  }
  return {
    ok: true,
    result: {
      kind: 'policy',
      principalId: payload.principalId as string | undefined,
      policy: policy.policy,
      context: context.value,
      usageIdentifierKey: typeof key === 'string' ? key : undefined,
    },
  };
}

type ContextRead =
  | { readonly ok: true; readonly value: { [key: string]: unknown } | null }
  | { readonly ok: false; readonly reason: string };

/** REST contexts hold only strings, numbers and booleans, which the integration receives as strings. */
function readContext(context: unknown, rest: boolean): ContextRead {
  if (context === undefined || context === null) return { ok: true, value: null };
  if (!isObject(context)) return { ok: false, reason: `\`context\` must be an object, got: ${describe(context)}` };
  if (!rest) return { ok: true, value: context };
  const value: { [key: string]: string } = {};
  for (const [key, entry] of Object.entries(context)) {
    if (entry === null || entry === undefined) continue;
    if (typeof entry !== 'string' && typeof entry !== 'number' && typeof entry !== 'boolean') {
      return {
        ok: false,
        reason: `\`context.${key}\` is ${describe(entry)}: a REST API authorizer's context values must be strings, numbers or booleans`,
      };
    }
    value[key] = String(entry);
  }
  return { ok: true, value };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 80 ? `${text.slice(0, 80)}...` : text}`;
}
