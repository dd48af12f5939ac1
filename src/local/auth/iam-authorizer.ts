/**
 * IAM (`AWS_IAM`) routes: requests signed with Signature Version 4 for `execute-api`, verified with the local IAM
 * credentials, whose principal is a local IAM user allowed to invoke every route. Errors are worded as API Gateway's.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 * https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
 */
import * as crypto from 'crypto';
import type { AuthOutcome, GatewayRequest } from '../contracts';
import type { LocalAppModel } from '../model';
import type { DevKeys } from './dev-keys';
import { amzDate, canonicalRequest, signature, SIGV4_ALGORITHM, stringToSign } from './sigv4';

/** A signature is accepted within 15 minutes of the gateway's clock, either way. */
const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;
const SERVICE = 'execute-api';

/** The local IAM user behind the local credentials. */
export interface LocalIamPrincipal {
  readonly accessKey: string;
  readonly accountId: string;
  readonly userId: string;
  readonly userArn: string;
}

/** An IAM user's unique id (`AIDA...`) derived from the access key, so every process names the same user. */
export function localIamPrincipal(app: LocalAppModel, keys: DevKeys): LocalIamPrincipal {
  const digest = crypto.createHash('sha256').update(keys.iamCredentials.accessKeyId).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const suffix = Array.from(digest.subarray(0, 17), (byte) => alphabet[byte % alphabet.length]).join('');
  return {
    accessKey: keys.iamCredentials.accessKeyId,
    accountId: app.accountId,
    userId: `AIDA${suffix}`,
    userArn: `arn:aws:iam::${app.accountId}:user/serverless-api-local`,
  };
}

export function authorizeIam(
  app: LocalAppModel,
  keys: DevKeys,
  request: GatewayRequest,
  nowMs: number,
  log: (line: string) => void,
): AuthOutcome {
  const verdict = verifySignature(app, keys, request, nowMs);
  if (verdict) {
    log(`IAM authorization: ${verdict.detail ?? verdict.message}`);
    return { ok: false, failure: verdict.failure, message: verdict.message };
  }
  const principal = localIamPrincipal(app, keys);
  const outcome = { ok: true as const };
  if (app.api.type === 'HTTP') {
    return {
      ...outcome,
      authorizer: {
        iam: {
          accessKey: principal.accessKey,
          accountId: principal.accountId,
          callerId: principal.userId,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: principal.userArn,
          userId: principal.userId,
        },
      },
    };
  }
  return {
    ...outcome,
    identity: {
      accessKey: principal.accessKey,
      accountId: principal.accountId,
      caller: principal.userId,
      user: principal.userId,
      userArn: principal.userArn,
    },
  };
}

interface Refusal {
  readonly failure: 'missing' | 'invalid';
  readonly message: string;
  readonly detail?: string;
}

function verifySignature(
  app: LocalAppModel,
  keys: DevKeys,
  request: GatewayRequest,
  nowMs: number,
): Refusal | undefined {
  const header = request.headers.authorization?.[0];
  if (!header) {
    return {
      failure: 'missing',
      message: 'Missing Authentication Token',
      detail: 'the request is not signed: sign it with Signature Version 4 for execute-api',
    };
  }
  const parsed = parseAuthorization(header);
  if ('message' in parsed) return { failure: 'invalid', message: parsed.message };

  const dateHeader = request.headers['x-amz-date']?.[0];
  const date = dateHeader ?? request.headers.date?.[0];
  const missing = [
    ...(['Credential', 'Signature', 'SignedHeaders'] as const)
      .filter((name) => parsed.fields[name] === undefined)
      .map((name) => `Authorization header requires '${name}' parameter.`),
    ...(date === undefined
      ? ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]
      : []),
  ];
  if (missing.length > 0 || parsed.algorithm !== SIGV4_ALGORITHM) {
    return {
      failure: 'invalid',
      message: `${missing.join(' ') || `Unsupported Authorization Type: ${parsed.algorithm}.`} Authorization=${header}`,
    };
  }
  const [accessKeyId, day, region, service, terminator, ...extra] = parsed.fields.Credential!.split('/');
  if (terminator !== 'aws4_request' || extra.length > 0) {
    return {
      failure: 'invalid',
      message: `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator ?? ''}'.`,
    };
  }
  const signedAt = parseSigningDate(date!, dateHeader !== undefined);
  if (signedAt === undefined) {
    return {
      failure: 'invalid',
      message: `Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    };
  }
  const longDate = amzDate(signedAt);
  if (day !== longDate.slice(0, 8)) {
    return {
      failure: 'invalid',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${longDate.slice(0, 8)}', from '${longDate}'.`,
    };
  }
  if (region !== app.region) {
    return {
      failure: 'invalid',
      message: `Credential should be scoped to a valid region, not '${region}'. `,
      detail: `sign for region ${app.region}`,
    };
  }
  if (service !== SERVICE) {
    return { failure: 'invalid', message: `Credential should be scoped to correct service: '${SERVICE}'. ` };
  }
  if (accessKeyId !== keys.iamCredentials.accessKeyId) {
    return {
      failure: 'invalid',
      message: 'The security token included in the request is invalid.',
      detail: `access key ${accessKeyId} is not the local API's (${keys.iamCredentials.accessKeyId}): sign with the local credentials`,
    };
  }
  if (nowMs - signedAt > SIGNATURE_WINDOW_MS) {
    return {
      failure: 'invalid',
      message: `Signature expired: ${longDate} is now earlier than ${amzDate(nowMs - SIGNATURE_WINDOW_MS)} (${amzDate(nowMs)} - 15 min.)`,
    };
  }
  if (signedAt - nowMs > SIGNATURE_WINDOW_MS) {
    return {
      failure: 'invalid',
      message: `Signature not yet current: ${longDate} is still later than ${amzDate(nowMs + SIGNATURE_WINDOW_MS)} (${amzDate(nowMs)} + 15 min.)`,
    };
  }
  const signedHeaders = parsed.fields.SignedHeaders!.split(';');
  if (!signedHeaders.includes('host')) {
    return { failure: 'invalid', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." };
  }
  const scope = { amzDate: longDate, region, service };
  const canonical = canonicalRequest(request, signedHeaders);
  const toSign = stringToSign(scope, canonical);
  const expected = signature(keys.iamCredentials.secretAccessKey, scope, toSign);
  const given = parsed.fields.Signature!;
  if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    return {
      failure: 'invalid',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' +
        `\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${toSign}'\n`,
    };
  }
  return undefined;
}

type ParsedAuthorization =
  | { readonly algorithm: string; readonly fields: { readonly [name: string]: string | undefined } }
  | { readonly message: string };

/** `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`, each part a key=value pair. */
function parseAuthorization(header: string): ParsedAuthorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const fields: { [name: string]: string } = {};
  const rest = space < 0 ? '' : trimmed.slice(space + 1);
  for (const part of rest
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)) {
    const equals = part.indexOf('=');
    if (equals < 0) {
      return {
        message: `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
      };
    }
    fields[part.slice(0, equals).trim()] = part.slice(equals + 1).trim();
  }
  return { algorithm, fields };
}

/** `X-Amz-Date` in ISO 8601 basic format (`20150830T123600Z`), or an HTTP `Date`. */
function parseSigningDate(value: string, basicFormat: boolean): number | undefined {
  if (basicFormat) {
    const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
    if (!match) return undefined;
    const [, y, mo, d, h, mi, s] = match.map(Number);
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    return amzDate(ms) === value.trim() ? ms : undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
