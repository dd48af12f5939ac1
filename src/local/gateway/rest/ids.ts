/**
 * The identifiers and timestamps API Gateway puts on a REST request: the API, resource and deployment ids, the
 * extended request id (`x-amz-apigw-id`), the trace id and `$context.requestTime`. Local ids are derived from the
 * model, so they stay the same from one run to the next and an IAM policy or a log query written against them keeps
 * working.
 */
import { createHash } from 'crypto';
import type { LocalAppModel } from '../../model';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `length` lower-case letters and digits, as API Gateway's ids are. */
function alphanumericId(seed: string, length: number): string {
  const bytes = digest(seed);
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHANUMERIC[bytes[i] % ALPHANUMERIC.length];
  return id;
}

/** The REST API's id: ten characters, like `a1b2c3d4e5`, stable for a stack and API. */
export function localRestApiId(app: Pick<LocalAppModel, 'api'>): string {
  return app.api.apiId;
}

/** `$context.resourceId`: six characters, one per resource path. */
export function resourceIdOf(apiId: string, resourcePath: string): string {
  return alphanumericId(`${apiId}${resourcePath}`, 6);
}

/** `$context.deploymentId` of the one local deployment. */
export function deploymentIdOf(apiId: string): string {
  return alphanumericId(`${apiId}/deployment`, 6);
}

/** `$context.extendedRequestId` and the `x-amz-apigw-id` header: 16 base64 characters, like `BQGojGUmoAMFsOA=`. */
export function extendedRequestIdOf(requestId: string): string {
  return digest(requestId).subarray(0, 11).toString('base64');
}

/** An X-Ray trace id: the caller's `Root` when it sent one, else `1-<epoch seconds hex>-<24 hex>`. */
export function traceIdOf(requestId: string, timeEpoch: number, incoming: string | undefined): string {
  const root = /(?:^|;)\s*Root=([^;]+)/.exec(incoming ?? '')?.[1];
  if (root) return `Root=${root}`;
  const seconds = Math.floor(timeEpoch / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${digest(requestId).subarray(0, 12).toString('hex')}`;
}

/** `$context.requestTime`: `09/Apr/2015:12:34:56 +0000`, in UTC. */
export function requestTimeOf(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}
