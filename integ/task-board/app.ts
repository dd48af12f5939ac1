import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { TaskBoardStack } from './stack';
import { formatFinding, nagFindings } from '../../src/cli/check/findings';

/**
 * The example app: synthesizes the task board with an embedded default issuer, so no AWS account
 * is needed. Deploy it for real with `-c issuer=https://... -c audience=<client id>`.
 */
const app = new App({
  outdir: process.env.CDK_OUTDIR ?? 'cdk.out/example',
  // Construct paths in the template let the summary name functions as they were declared.
  context: { 'aws:cdk:enable-path-metadata': true },
});
const stack = new TaskBoardStack(app, 'TaskBoard', {
  issuer: app.node.tryGetContext('issuer'),
  audience: app.node.tryGetContext('audience'),
});

// The same packs and the same finding lines as `serverless-api check`, over the live construct tree.
const findings = nagFindings(stack, [
  new AwsSolutionsChecks(undefined, { verbose: true }),
  new ServerlessChecks(undefined, { verbose: true }),
]);
console.log(`cdk-nag AwsSolutions + Serverless: ${findings.length} unacknowledged findings`);
if (findings.length) {
  findings.forEach((finding) => console.error(`  ${formatFinding(finding)}`));
  process.exitCode = 1;
}
app.synth();
