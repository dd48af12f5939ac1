/**
 * SigV4 as the local DynamoDB reads it (the signer's access key id, from the header or a presigned query) and writes
 * it (the admin client's requests), checked against the AWS SDK's own signer.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-request.html
 */
import { createHash, createHmac } from 'crypto';
import { createRequire } from 'module';
import { readSignature, signRequest } from '../../../src/local/dynamodb/signature';

/** The SDK's SigV4 signer, as the DynamoDB client loads it. */
const { SignatureV4 } = createRequire(require.resolve('@aws-sdk/core'))('@smithy/signature-v4');

/** The hash the SDK signer takes: SHA-256, or HMAC-SHA-256 with a secret. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  public update(data: string | Uint8Array) {
    this.hash.update(data);
  }
  public async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const none = new URLSearchParams();

describe('reading who signed a request', () => {
  test("GIVEN the SDK's Authorization header THEN the access key id of its credential scope", () => {
    expect(
      readSignature(
        'AWS4-HMAC-SHA256 Credential=ASIAFUNCTION1/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab12',
        none,
      ),
    ).toEqual({ kind: 'signed', accessKeyId: 'ASIAFUNCTION1' });
  });

  test('GIVEN a presigned query THEN the access key id of X-Amz-Credential', () => {
    const query = new URLSearchParams({ 'X-Amz-Credential': 'AKIDQUERY/20260101/eu-west-1/dynamodb/aws4_request/' });

    expect(readSignature(undefined, query)).toEqual({ kind: 'signed', accessKeyId: 'AKIDQUERY' });
  });

  test.each([undefined, '', 'Bearer abc', 'AWS AKID:signature'])(
    'GIVEN the Authorization header %p and no query THEN no signature at all',
    (header) => {
      expect(readSignature(header, none)).toEqual({ kind: 'missing' });
    },
  );

  test.each([
    [
      'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab',
      "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab",
    ],
    [
      'AWS4-HMAC-SHA256 Credential=/20260101/eu-west-1/dynamodb/aws4_request, Signature=ab',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '/20260101/eu-west-1/dynamodb/aws4_request' in the Authorization header",
    ],
    [
      'AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d/e/f' in the Authorization header",
    ],
  ])('GIVEN %p THEN an incomplete signature: %s', (header, message) => {
    expect(readSignature(header, none)).toEqual({ kind: 'incomplete', message });
  });
});

describe("signing the admin client's requests", () => {
  test('GIVEN a request and a date THEN the Authorization header is the one the AWS SDK signer computes', async () => {
    const date = new Date('2026-03-04T05:06:07.890Z');
    const body = '{"TableName":"TaskBoard-Tasks","Key":{"PK":{"S":"a"}}}';
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const headers = signRequest({
      host: '127.0.0.1:8000',
      region: 'eu-west-1',
      target: 'DynamoDB_20120810.GetItem',
      body,
      credentials,
      date,
    });
    const sdk = new SignatureV4({
      service: 'dynamodb',
      region: 'eu-west-1',
      credentials,
      sha256: Sha256,
      applyChecksum: false,
    });
    const signed = await sdk.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 8000,
        path: '/',
        query: {},
        headers: {
          'content-type': headers['content-type'],
          host: headers.host,
          'x-amz-target': headers['x-amz-target'],
        },
        body,
      },
      { signingDate: date },
    );

    expect(headers['x-amz-date']).toBe('20260304T050607Z');
    expect(headers.authorization).toBe(signed.headers.authorization);
  });
});
