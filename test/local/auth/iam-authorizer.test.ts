/**
 * IAM routes: Signature Version 4 for execute-api with the local credentials.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 * https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden (the messages of each refusal)
 */
import * as crypto from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCOUNT, appModel, authInput, FakeInvoker, NodeSha256, REGION, route, testKeys } from './fixtures';
import { createRouteAuthorizer, localIamPrincipal, signIamRequest } from '../../../src/local/auth';
import type { GatewayRequest } from '../../../src/local/contracts';
import { TEST_EPOCH_MS } from '../../helpers/clock';

const keys = testKeys();
const iamRoute = route({ method: 'POST', authorization: { type: 'IAM' } });
const invoker = new FakeInvoker(() => {
  throw new Error('IAM routes run no authorizer function');
});

function authorizerFor(type: 'HTTP' | 'REST', nowMs = TEST_EPOCH_MS) {
  const logged: string[] = [];
  const authorizer = createRouteAuthorizer({
    app: appModel(type, {}, [iamRoute]),
    invoker,
    keys,
    now: () => nowMs,
    log: (line) => logged.push(line),
  });
  return {
    logged,
    authorize: (request: GatewayRequest) =>
      authorizer.authorize(authInput({ request, route: iamRoute, pathParameters: { projectId: 'p1' } })),
  };
}

/** A request as the gateway receives it, signed by `signIamRequest` unless told otherwise. */
function signedRequest(
  options: { body?: string; headers?: { [name: string]: string }; signedAt?: number; region?: string } = {},
): GatewayRequest {
  const url = 'http://127.0.0.1:3000/projects/p1?view=full';
  const headers = { 'content-type': 'application/json', ...options.headers };
  const body = options.body ?? '{"name":"p1"}';
  const added = signIamRequest(
    keys,
    { method: 'POST', url, headers, body, region: options.region ?? REGION },
    options.signedAt ?? TEST_EPOCH_MS,
  );
  return gatewayRequest({ ...headers, ...added }, body);
}

function gatewayRequest(
  headers: { [name: string]: string },
  body: string,
  rawPath = '/projects/p1',
  rawQueryString = 'view=full',
): GatewayRequest {
  const lower: { [name: string]: string[] } = { host: ['127.0.0.1:3000'] };
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = [value];
  return {
    method: 'POST',
    rawPath,
    rawQueryString,
    headers: lower,
    body: Buffer.from(body),
    sourceIp: '127.0.0.1',
    requestId: 'r1',
    timeEpoch: TEST_EPOCH_MS,
  };
}

describe('a request signed with the local credentials', () => {
  test('HTTP API: the caller is requestContext.authorizer.iam, shaped as a captured event', async () => {
    // powertools-lambda-typescript packages/parser/tests/events/apigw-http/iam-auth.json; aws-lambda-go apigw-v2-request-iam.json
    const principal = localIamPrincipal(appModel('HTTP'), keys);

    expect(await authorizerFor('HTTP').authorize(signedRequest())).toEqual({
      ok: true,
      authorizer: {
        iam: {
          accessKey: keys.iamCredentials.accessKeyId,
          accountId: ACCOUNT,
          callerId: principal.userId,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: `arn:aws:iam::${ACCOUNT}:user/serverless-api-local`,
          userId: principal.userId,
        },
      },
    });
    expect(principal.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });

  test('REST API: the caller is requestContext.identity, and there is no authorizer object', async () => {
    // powertools-lambda-typescript packages/parser/tests/events/apigw-rest/iam-auth.json
    const principal = localIamPrincipal(appModel('REST'), keys);

    expect(await authorizerFor('REST').authorize(signedRequest())).toEqual({
      ok: true,
      identity: {
        accessKey: keys.iamCredentials.accessKeyId,
        accountId: ACCOUNT,
        caller: principal.userId,
        user: principal.userId,
        userArn: principal.userArn,
      },
    });
  });

  test('GIVEN a request the AWS SDK signed (with x-amz-content-sha256, as SDKs send by default) THEN verified', async () => {
    const sdk = new SignatureV4({
      credentials: keys.iamCredentials,
      region: REGION,
      service: 'execute-api',
      sha256: NodeSha256,
    });
    const signed = await sdk.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 3000,
        path: '/projects/p%201',
        query: { b: ['2', '1'], a: 'x y' },
        headers: { host: '127.0.0.1:3000', 'content-type': 'application/json' },
        body: '{"name":"p1"}',
      },
      { signingDate: new Date(TEST_EPOCH_MS) },
    );

    const request = gatewayRequest(signed.headers, '{"name":"p1"}', '/projects/p%201', 'a=x%20y&b=2&b=1');

    expect(await authorizerFor('HTTP').authorize(request)).toMatchObject({ ok: true });
  });

  test('GIVEN a signature exactly 15 minutes old or 15 minutes ahead THEN still accepted', async () => {
    const { authorize } = authorizerFor('HTTP');

    expect(await authorize(signedRequest({ signedAt: TEST_EPOCH_MS - 15 * 60_000 }))).toMatchObject({ ok: true });
    expect(await authorize(signedRequest({ signedAt: TEST_EPOCH_MS + 15 * 60_000 }))).toMatchObject({ ok: true });
  });
});

describe('refusals, worded as API Gateway words them', () => {
  test('GIVEN no Authorization header THEN missing: "Missing Authentication Token"', async () => {
    expect(await authorizerFor('REST').authorize(gatewayRequest({}, ''))).toEqual({
      ok: false,
      failure: 'missing',
      message: 'Missing Authentication Token',
    });
  });

  test('GIVEN a bearer token THEN its part is not a key=value pair', async () => {
    // Evidence: HumanCellAtlas/data-store#328, serverless/serverless#3205.
    expect(await authorizerFor('REST').authorize(gatewayRequest({ Authorization: 'Bearer t' }, ''))).toEqual({
      ok: false,
      failure: 'invalid',
      message: "'t' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer t'.",
    });
  });

  test('GIVEN another access key THEN "The security token included in the request is invalid."', async () => {
    const request = signedRequest();
    const header = request.headers.authorization![0].replace(keys.iamCredentials.accessKeyId, 'AKIAOTHERKEY00000000');

    const { authorize, logged } = authorizerFor('HTTP');
    expect(await authorize({ ...request, headers: { ...request.headers, authorization: [header] } })).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'The security token included in the request is invalid.',
    });
    expect(logged[0]).toContain('access key AKIAOTHERKEY00000000 is not the local API');
  });

  test('GIVEN a body changed after signing THEN the signature does not match, and the message shows the canonical request', async () => {
    const request = { ...signedRequest(), body: Buffer.from('{"name":"tampered"}') };

    const outcome = await authorizerFor('HTTP').authorize(request);

    expect(outcome).toMatchObject({ ok: false, failure: 'invalid' });
    const message = (outcome as { message: string }).message;
    expect(message).toMatch(
      /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\./,
    );
    expect(message).toContain(
      `The Canonical String for this request should have been\n'POST\n/projects/p1\nview=full\ncontent-type:application/json\nhost:127.0.0.1:3000\n`,
    );
    expect(message).toContain(crypto.createHash('sha256').update('{"name":"tampered"}').digest('hex'));
    expect(message).toContain(
      "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20270115T080000Z\n20270115/eu-west-1/execute-api/aws4_request\n",
    );
  });

  test('GIVEN a signature older than 15 minutes THEN "Signature expired"', async () => {
    const outcome = await authorizerFor('HTTP').authorize(
      signedRequest({ signedAt: TEST_EPOCH_MS - 15 * 60_000 - 1000 }),
    );

    expect(outcome).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'Signature expired: 20270115T074459Z is now earlier than 20270115T074500Z (20270115T080000Z - 15 min.)',
    });
  });

  test('GIVEN a signature dated more than 15 minutes ahead THEN "Signature not yet current"', async () => {
    const outcome = await authorizerFor('HTTP').authorize(signedRequest({ signedAt: TEST_EPOCH_MS + 16 * 60_000 }));

    expect(outcome).toEqual({
      ok: false,
      failure: 'invalid',
      message:
        'Signature not yet current: 20270115T081600Z is still later than 20270115T081500Z (20270115T080000Z + 15 min.)',
    });
  });

  test('GIVEN a signature for another region THEN the credential scope is refused', async () => {
    expect(await authorizerFor('HTTP').authorize(signedRequest({ region: 'us-east-1' }))).toEqual({
      ok: false,
      failure: 'invalid',
      message: "Credential should be scoped to a valid region, not 'us-east-1'. ",
    });
  });

  test.each([
    [
      'without Signature and SignedHeaders',
      `AWS4-HMAC-SHA256 Credential=${keys.iamCredentials.accessKeyId}/20270115/${REGION}/execute-api/aws4_request`,
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256",
    ],
    [
      'for another service',
      `AWS4-HMAC-SHA256 Credential=${keys.iamCredentials.accessKeyId}/20270115/${REGION}/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`,
      "Credential should be scoped to correct service: 'execute-api'. ",
    ],
    [
      'with a wrong terminator',
      `AWS4-HMAC-SHA256 Credential=${keys.iamCredentials.accessKeyId}/20270115/${REGION}/execute-api/aws5_request, SignedHeaders=host, Signature=00`,
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    ],
    [
      'with a scope date that is not the request date',
      `AWS4-HMAC-SHA256 Credential=${keys.iamCredentials.accessKeyId}/20270114/${REGION}/execute-api/aws4_request, SignedHeaders=host, Signature=00`,
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20270114' != '20270115', from '20270115T080000Z'.",
    ],
    [
      'without host among the signed headers',
      `AWS4-HMAC-SHA256 Credential=${keys.iamCredentials.accessKeyId}/20270115/${REGION}/execute-api/aws4_request, SignedHeaders=x-amz-date, Signature=00`,
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    ],
    [
      'of another algorithm',
      'AWS4-ECDSA-P256-SHA256 Credential=a, SignedHeaders=host, Signature=00',
      'Unsupported Authorization Type: AWS4-ECDSA-P256-SHA256.',
    ],
  ])('GIVEN an Authorization header %s THEN refused', async (_, authorization, message) => {
    const outcome = await authorizerFor('HTTP').authorize(
      gatewayRequest({ authorization, 'x-amz-date': '20270115T080000Z' }, ''),
    );

    expect(outcome).toMatchObject({ ok: false, failure: 'invalid', message: expect.stringContaining(message) });
  });

  test.each(['2027-01-15T08:00:00Z', '20271315T080000Z', 'yesterday'])(
    'GIVEN X-Amz-Date %p THEN the date format is refused',
    async (date) => {
      const authorization = `AWS4-HMAC-SHA256 Credential=${keys.iamCredentials.accessKeyId}/20270115/${REGION}/execute-api/aws4_request, SignedHeaders=host, Signature=00`;

      expect(await authorizerFor('HTTP').authorize(gatewayRequest({ authorization, 'x-amz-date': date }, ''))).toEqual({
        ok: false,
        failure: 'invalid',
        message: `Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      });
    },
  );

  test('GIVEN neither X-Amz-Date nor Date THEN the header requires one', async () => {
    const authorization = `AWS4-HMAC-SHA256 Credential=${keys.iamCredentials.accessKeyId}/20270115/${REGION}/execute-api/aws4_request, SignedHeaders=host, Signature=00`;

    expect(await authorizerFor('HTTP').authorize(gatewayRequest({ authorization }, ''))).toMatchObject({
      message: expect.stringContaining(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      ),
    });
  });
});
