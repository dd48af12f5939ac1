import { App } from 'aws-cdk-lib';
import { TaskBoardStack } from './stack';
import { formatFindings, runNag } from '../../src/cli/nag';

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

const findings = formatFindings(runNag(stack));
console.log(`cdk-nag AwsSolutions + Serverless: ${findings.length} unacknowledged findings`);
if (findings.length) {
  findings.forEach((finding) => console.error(`  ${finding}`));
  process.exitCode = 1;
}
app.synth();
