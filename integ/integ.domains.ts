import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicies, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ApiAuthorization, ServerlessApi } from '../src';

/**
 * Deploys an HTTP API reachable only at its custom domain name: a certificate created and validated through DNS
 * records in the domain's hosted zone, the A and AAAA alias records, the API mapped under a base path, and the default
 * execute-api endpoint turned off. Checks that a request through the domain reaches the function.
 *
 * Deploying needs a public hosted zone Route 53 answers for (the certificate is validated through it): give it with
 * `-c domainZoneId=<id> -c domainZoneName=<name>`. The defaults only synthesize.
 */
const app = new App({
  // Creation stack traces would write this machine's absolute paths into the snapshot's metadata files.
  context: { 'aws:cdk:disable-creation-stack-traces': true },
});
const stack = new Stack(app, 'DomainsIntegStack');
const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
  hostedZoneId: app.node.tryGetContext('domainZoneId') ?? 'Z0123456789EXAMPLEZONE',
  zoneName: app.node.tryGetContext('domainZoneName') ?? 'integ.example.com',
});
const api = new ServerlessApi(stack, 'Api', {
  apiName: 'domains-integ',
  // Every route is IAM-authorized unless it says otherwise.
  authorization: ApiAuthorization.iam(),
  domain: {
    domainName: `http-api.${hostedZone.zoneName}`,
    hostedZone,
    basePaths: ['v1'],
    disableExecuteApiEndpoint: true,
  },
  table: { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false },
  // Alarms and the dashboard have nothing to show in a test that lives for minutes.
  alarms: { enabled: false },
  dashboard: false,
  functions: {
    hello: {
      entry: path.join(__dirname, 'domains', 'handler.ts'),
      // Public, so that the deploy-time assertion needs no signature.
      routes: [{ method: HttpMethod.GET, path: '/hello', authorization: ApiAuthorization.none() }],
    },
  },
});
// CloudFormation keeps log groups unless told otherwise; this test's go with it.
RemovalPolicies.of(stack).destroy({ applyToResourceTypes: ['AWS::Logs::LogGroup'] });

const integ = new IntegTest(app, 'DomainsInteg', {
  testCases: [stack],
  cdkCommandOptions: { destroy: { args: { force: true } } },
});

// Through the domain and its base path, the function answers, and sees the domain name as the request's host.
integ.assertions
  .httpApiCall(`${api.domainUrl}hello`)
  .expect(ExpectedResult.objectLike({ status: 200, body: { domainName: `http-api.${hostedZone.zoneName}` } }))
  // The alias records take a little while to be answered everywhere.
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

app.synth();
