/**
 * Signature Version 4, computed with node:crypto, against AWS's published test suite and against the AWS SDK's own
 * signer (@smithy/signature-v4).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html
 */
// The AWS SDK's signer is a dependency of the SDK clients the tests already use; it is the reference, not shipped.
// eslint-disable-next-line import/no-extraneous-dependencies
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256, REGION, testKeys } from './fixtures';
import { signIamRequest } from '../../../src/local/auth';
import {
  canonicalPath,
  canonicalQuery,
  canonicalRequest,
  signature,
  stringToSign,
} from '../../../src/local/auth/sigv4';

describe('the AWS Signature Version 4 test suite (credentials AKIDEXAMPLE, 20150830T123600Z, us-east-1, service "service")', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const scope = { amzDate: '20150830T123600Z', region: 'us-east-1', service: 'service' };
  const sign = (
    method: string,
    rawPath: string,
    rawQueryString: string,
    extraHeaders: { [name: string]: string } = {},
  ) => {
    const headers: { [name: string]: string[] } = { host: ['example.amazonaws.com'], 'x-amz-date': [scope.amzDate] };
    for (const [name, value] of Object.entries(extraHeaders)) headers[name] = [value];
    const canonical = canonicalRequest(
      { method, rawPath, rawQueryString, headers, body: Buffer.alloc(0) },
      Object.keys(headers).sort(),
    );
    return signature(SECRET, scope, stringToSign(scope, canonical));
  };

  test.each([
    ['get-vanilla', 'GET', '/', '', {}, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    ['post-vanilla', 'POST', '/', '', {}, '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
    [
      'get-vanilla-query-order-key-case',
      'GET',
      '/',
      'Param2=value2&Param1=value1',
      {},
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    ],
    [
      'get-unreserved',
      'GET',
      '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
      '',
      {},
      '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
    ],
    [
      'post-header-key-sort',
      'POST',
      '/',
      '',
      { 'my-header1': 'value1' },
      'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c',
    ],
  ])('%s', (_, method, rawPath, rawQueryString, headers, expected) => {
    expect(sign(method, rawPath, rawQueryString, headers)).toBe(expected);
  });

  test('canonical paths are normalised and each segment encoded again; queries sorted by name then value', () => {
    expect(canonicalPath('/a/./b/../c//d/')).toBe('/a/c/d/');
    expect(canonicalPath('/files/my%20file.txt')).toBe('/files/my%2520file.txt');
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalQuery('b=2&a=z&a=y&c&X-Amz-Signature=abc&sp=a%20b&plus=a+b')).toBe(
      'a=y&a=z&b=2&c=&plus=a%2Bb&sp=a%20b',
    );
  });
});

describe('signIamRequest agrees with the AWS SDK signer', () => {
  const keys = testKeys();
  const sdk = new SignatureV4({
    credentials: keys.iamCredentials,
    region: REGION,
    service: 'execute-api',
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signingDate = new Date(Date.UTC(2027, 0, 15, 8, 0, 0));

  test.each([
    ['a plain GET', 'GET', '/projects', {}, {}, undefined],
    ['an encoded path', 'GET', '/files/a%20b/c%2Fd', {}, {}, undefined],
    [
      'a query with repeated and reserved values',
      'GET',
      '/search',
      { q: ['b c', 'a&b'], 'x-y': "it's" },
      {},
      undefined,
    ],
    [
      'a body and content headers',
      'POST',
      '/projects',
      {},
      { 'content-type': 'application/json', 'x-custom': '  spaced   value ', 'user-agent': 'test/1.0' },
      '{"name":"p1"}',
    ],
  ])('%s', async (_, method, path, query, headers, body) => {
    const search = new URLSearchParams();
    for (const [name, values] of Object.entries(query)) for (const value of [values].flat()) search.append(name, value);
    const queryString = search.toString().replace(/\+/g, '%20');
    const url = `http://127.0.0.1:3000${path}${queryString ? `?${queryString}` : ''}`;

    const signed = await sdk.sign(
      {
        method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 3000,
        path,
        query,
        headers: { host: '127.0.0.1:3000', ...headers },
        body,
      },
      { signingDate },
    );
    const ours = signIamRequest(keys, { method, url, headers, body, region: REGION }, signingDate.getTime());

    expect(ours).toEqual({ authorization: signed.headers.authorization, 'x-amz-date': signed.headers['x-amz-date'] });
  });
});
