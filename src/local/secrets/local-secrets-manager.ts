/**
 * The local Secrets Manager the functions reach (through `AWS_ENDPOINT_URL_SECRETS_MANAGER`): it answers
 * GetSecretValue for the stack's secrets with the values given to the local API, after holding the caller to its
 * role as IAM would, in Secrets Manager's own wire format (AWS JSON 1.1) and errors.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 */
import { createHash, randomUUID } from 'crypto';
import * as http from 'http';
import type { SecretsAuthorizer } from '../contracts';
import { readSignature } from '../dynamodb/signature';
import { closeServer, listen } from '../listen';
import type { LocalAppModel, LocalSecretModel } from '../model';
import { partitionOf } from '../reader/resolve';

const AMZ_JSON_1_1 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'secretsmanager.';
/** GetSecretValue takes a few hundred bytes; a body this large is not one. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** The staging label of the current version, the only version a local secret has. */
const CURRENT_STAGE = 'AWSCURRENT';

export interface LocalSecretsManagerOptions {
  /** The app being served (its secrets, region and account), read at each request: a reload may change them. */
  readonly app: () => SecretsScope;
  /**
   * Decides each signed request, read at each request like `app`.
   * @default - every signed request is allowed
   */
  readonly authorizer?: () => SecretsAuthorizer;
  /** Told of every GetSecretValue received (its `SecretId` and signer), before it is answered. */
  readonly onGetSecretValue?: (secretId: string, accessKeyId: string) => void;
  /** Where `DENIED ...` lines and unsupported operations are reported. */
  readonly log: (line: string) => void;
  /** @default 127.0.0.1 */
  readonly host?: string;
}

/** What the local Secrets Manager serves: the stack's secrets, with the region and account their ARNs name. */
export type SecretsScope = Pick<LocalAppModel, 'secrets' | 'region' | 'accountId' | 'stackName'>;

export interface LocalSecretsManager {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body: { readonly [key: string]: unknown };
}

/** A Secrets Manager error: `__type` names the exception, which the AWS SDK turns into the error's name. */
function error(type: string, message: string, status = 400): Answer {
  return { status, body: { __type: type, Message: message } };
}

/** The secret a `SecretId` names: its full ARN, its ARN without the 6-character suffix, or its name. */
function findSecret(secrets: readonly LocalSecretModel[], secretId: string): LocalSecretModel | undefined {
  return secrets.find((s) => s.arn === secretId || s.secretName === secretId || s.arn.slice(0, -7) === secretId);
}

/** A stable version id for the value: a new value (another `--secret`) is a new version. */
function versionId(secret: LocalSecretModel): string {
  const hex = createHash('sha256').update(`${secret.arn}\n${secret.value}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export async function startLocalSecretsManager(options: LocalSecretsManagerOptions): Promise<LocalSecretsManager> {
  const server = http.createServer(secretsManagerListener(options));
  const { url } = await listen(server, options.host ?? '127.0.0.1');
  return { endpoint: url, close: () => closeServer(server) };
}

/** The local Secrets Manager's answer to each request, for a server of its own or one it shares with other services. */
export function secretsManagerListener(options: LocalSecretsManagerOptions): http.RequestListener {
  const createdDate = Math.floor(Date.now() / 1000);
  const warned = new Set<string>();

  const getSecretValue = (accessKeyId: string, input: { [key: string]: unknown }): Answer => {
    const secretId = input.SecretId;
    if (typeof secretId !== 'string' || secretId.length === 0 || secretId.length > 2048) {
      return error(
        'ValidationException',
        "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must have length between 1 and 2048",
      );
    }
    options.onGetSecretValue?.(secretId, accessKeyId);
    const app = options.app();
    const secret = findSecret(app.secrets ?? [], secretId);
    const versionStage = typeof input.VersionStage === 'string' ? input.VersionStage : undefined;
    const resource =
      secret?.arn ??
      (secretId.startsWith('arn:')
        ? secretId
        : `arn:${partitionOf(app.region).partition}:secretsmanager:${app.region}:${app.accountId}:secret:${secretId}`);
    const decision = options.authorizer?.().authorize({
      accessKeyId,
      secretId,
      resource,
      ...(secret?.kmsKeyArn === undefined ? {} : { kmsKeyArn: secret.kmsKeyArn }),
      ...(versionStage === undefined ? {} : { versionStage }),
    });
    if (decision && !decision.allowed) {
      options.log(`DENIED ${decision.reason}`);
      return error(decision.errorType, decision.message);
    }
    if (!secret) {
      options.log(
        `GetSecretValue ${secretId}: no secret of ${app.stackName} has this ARN or name (the local Secrets Manager serves the stack's own secrets)`,
      );
      return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    const version = versionId(secret);
    if (typeof input.VersionId === 'string' && input.VersionId !== version) {
      return error(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`,
      );
    }
    if (versionStage !== undefined && versionStage !== CURRENT_STAGE) {
      return error(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${versionStage}`,
      );
    }
    return {
      status: 200,
      body: {
        ARN: secret.arn,
        Name: secret.secretName,
        VersionId: version,
        SecretString: secret.value,
        VersionStages: [CURRENT_STAGE],
        CreatedDate: createdDate,
      },
    };
  };

  const answer = (request: http.IncomingMessage, body: Buffer): Answer => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const signature = readSignature(
      request.headers.authorization,
      new URL(request.url ?? '/', 'http://local').searchParams,
    );
    if (signature.kind === 'missing') {
      return error('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    }
    if (signature.kind === 'incomplete') return error('IncompleteSignatureException', signature.message);
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return error('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return error('SerializationException', 'Start of structure or map expected.');
    }
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    if (request.method === 'POST' && operation === 'GetSecretValue') {
      return getSecretValue(signature.accessKeyId, input as { [key: string]: unknown });
    }
    if (!warned.has(operation)) {
      warned.add(operation);
      options.log(
        `The local Secrets Manager answers GetSecretValue only, which is what getSecret() calls: ${operation || 'a request without X-Amz-Target'} is refused`,
      );
    }
    return error('InvalidAction', `The local Secrets Manager answers GetSecretValue only, got: ${operation}`);
  };

  return (request, response) => {
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      let result: Answer;
      try {
        result =
          size > MAX_REQUEST_BYTES
            ? error('ValidationException', `Request body exceeds ${MAX_REQUEST_BYTES} bytes`)
            : answer(request, Buffer.concat(chunks));
      } catch (failure) {
        options.log(
          `The local Secrets Manager failed on a request: ${failure instanceof Error ? failure.stack : failure}`,
        );
        result = error('InternalServiceError', 'An error occurred on the server side.', 500);
      }
      const payload = Buffer.from(JSON.stringify(result.body), 'utf8');
      response.writeHead(result.status, {
        'Content-Type': AMZ_JSON_1_1,
        'Content-Length': String(payload.length),
        'x-amzn-RequestId': randomUUID(),
      });
      response.end(payload);
    });
  };
}
