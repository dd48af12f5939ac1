/**
 * AWS Signature Version 4 as DynamoDB sees it: who signed a request (the access key id of its credential scope), and
 * the signature of the requests the local DynamoDB sends itself.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-request.html
 */
import { createHash, createHmac } from 'crypto';

/** What the `Authorization` header (or a presigned query) says about the signer. */
export type SignatureInfo =
  /** No signature at all: DynamoDB answers MissingAuthenticationTokenException. */
  | { readonly kind: 'missing' }
  /** A SigV4 signature whose credential cannot be read: DynamoDB answers IncompleteSignatureException. */
  | { readonly kind: 'incomplete'; readonly message: string }
  | { readonly kind: 'signed'; readonly accessKeyId: string };

/**
 * Reads the signer of a request from `Authorization: AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/dynamodb/
 * aws4_request, SignedHeaders=..., Signature=...`, or from the `X-Amz-Credential` query parameter of a presigned
 * request. The signature itself is not verified: the local DynamoDB knows no secrets.
 */
export function readSignature(authorization: string | undefined, query: URLSearchParams): SignatureInfo {
  const header = authorization?.trim();
  const presigned = query.get('X-Amz-Credential');
  // A header that is not SigV4 counts as no signature, as DynamoDB (and dynalite after it) answers it.
  if (!header?.startsWith('AWS4-')) {
    return presigned === null ? { kind: 'missing' } : credentialScope(presigned, 'the X-Amz-Credential parameter');
  }
  const credential = /(?:^|[\s,])Credential=([^,\s]*)/.exec(header.slice(header.indexOf(' ') + 1))?.[1];
  if (!credential) {
    return {
      kind: 'incomplete',
      message: `Authorization header requires 'Credential' parameter. Authorization=${header}`,
    };
  }
  return credentialScope(credential, 'the Authorization header');
}

function credentialScope(credential: string, where: string): SignatureInfo {
  // DynamoDB ignores trailing slashes, then wants exactly keyid/date/region/service/terminator.
  const parts = credential.replace(/\/+$/, '').split('/');
  if (parts.length !== 5 || parts[0] === '') {
    return {
      kind: 'incomplete',
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}' in ${where}`,
    };
  }
  return { kind: 'signed', accessKeyId: parts[0] };
}

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The headers that sign a DynamoDB JSON request (POST to `/`). */
export function signRequest(options: {
  readonly host: string;
  readonly region: string;
  readonly target: string;
  readonly body: string;
  readonly credentials: SigningCredentials;
  readonly date: Date;
}): { [name: string]: string } {
  const amzDate = options.date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: { [name: string]: string } = {
    'content-type': 'application/x-amz-json-1.0',
    host: options.host,
    'x-amz-date': amzDate,
    'x-amz-target': options.target,
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonicalRequest = [
    'POST',
    '/',
    '',
    ...signedHeaders.map((name) => `${name}:${headers[name]}`),
    '',
    signedHeaders.join(';'),
    sha256(options.body),
  ].join('\n');
  const scope = `${day}/${options.region}/dynamodb/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${options.credentials.secretAccessKey}`, day);
  for (const part of [options.region, 'dynamodb', 'aws4_request']) key = hmac(key, part);
  const signature = hmac(key, stringToSign).toString('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}

function sha256(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
