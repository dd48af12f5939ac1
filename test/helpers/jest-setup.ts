/**
 * Unit tests synthesize without bundling: the context aws-cdk-lib reads for `cdk synth --exclusively` style runs
 * (`aws:cdk:bundling-stacks: []`) leaves every stack's functions with a placeholder bundle. The suites that test
 * bundling itself ask for it with `postCliContext`, which wins over this.
 */
process.env.CDK_CONTEXT_JSON = JSON.stringify({
  ...JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}'),
  'aws:cdk:bundling-stacks': [],
});
