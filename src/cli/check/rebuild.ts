/**
 * cdk-nag 3 checks a construct tree, and a cloud assembly holds templates. Each stack's tree is rebuilt from its
 * template with `CfnInclude` (typed L1 resources, logical ids kept), and every resource carries the
 * acknowledgements the app recorded on it or on a construct above it, which is where cdk-nag looks for them.
 */

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acknowledgementsCovering } from './acknowledgements';
import { UserCdkNag } from './cdk-nag';
import { NagFinding, nagFindings, treeLocator } from './findings';
import { StackArtifact, UsageError } from '../../assembly/assembly';
import { str } from '../../assembly/template';

export interface StackCheck {
  readonly stack: StackArtifact;
  /** Resources in the template. */
  readonly resources: number;
  readonly findings: NagFinding[];
  /**
   * Resources whose construct path the assembly does not record (both `aws:cdk:logicalId` metadata and
   * `aws:cdk:path` turned off): only acknowledgements on the stack itself can cover them.
   */
  readonly withoutPath: string[];
  /**
   * Logical ids of nested stacks (`AWS::CloudFormation::Stack`) whose templates the assembly does not hold: their
   * resources are not checked. Those it holds are checked with their parent's, as one template.
   */
  readonly nestedStacks: string[];
}

/** Checks each stack with the user's cdk-nag packs, in a construct tree of the user's aws-cdk-lib. */
export function checkStacks(stacks: StackArtifact[], nag: UserCdkNag): StackCheck[] {
  // The tree is never synthesized, but an App makes its output folder when it is created.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'serverless-api-check-'));
  try {
    const app = new nag.cdk.App({
      outdir,
      autoSynth: false,
      context: { 'aws:cdk:disable-stack-trace': true },
    });
    return stacks.map((stack, i) => checkStack(stack, nag, new nag.cdk.Stack(app, `Stack${i}`), outdir));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function checkStack(
  stack: StackArtifact,
  nag: UserCdkNag,
  scope: InstanceType<UserCdkNag['cdk']['Stack']>,
  outdir: string,
): StackCheck {
  const paths = constructPathsOf(stack);
  const acknowledgedKey = nag.cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const template = includeTemplate(stack, nag, scope, outdir);
  const logicalIds = Object.keys(stack.template.Resources ?? {});
  for (const logicalId of logicalIds) {
    const covering = acknowledgementsCovering(stack.constructMetadata, paths.get(logicalId) ?? stack.displayName);
    if (Object.keys(covering).length > 0) template.getResource(logicalId).node.addMetadata(acknowledgedKey, covering);
  }
  const inTree = treeLocator(scope);
  const findings = nagFindings(scope, nag.packs(), (checkedPath) => {
    const { logicalId } = inTree(checkedPath);
    return { constructPath: logicalId === undefined ? undefined : paths.get(logicalId), logicalId };
  });
  return {
    stack,
    resources: logicalIds.length,
    findings,
    withoutPath: logicalIds.filter((id) => !paths.has(id)),
    nestedStacks: logicalIds.filter((id) => stack.template.Resources?.[id].Type === 'AWS::CloudFormation::Stack'),
  };
}

/**
 * Each resource's full construct path (`Stage/Stack/Api/Table/Resource`) by logical id: from the
 * `aws:cdk:logicalId` metadata synth records, else from the template's `aws:cdk:path` resource metadata.
 */
function constructPathsOf(stack: StackArtifact): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
    const templatePath = str(resource.Metadata?.['aws:cdk:path']);
    if (templatePath !== undefined) paths.set(logicalId, templatePath);
  }
  for (const [logicalId, below] of stack.constructPaths) paths.set(logicalId, `${stack.displayName}/${below}`);
  return paths;
}

function includeTemplate(
  stack: StackArtifact,
  nag: UserCdkNag,
  scope: InstanceType<UserCdkNag['cdk']['Stack']>,
  outdir: string,
) {
  // A stack with nested stacks is checked as one template, its nested stacks' resources in it.
  let templateFile = stack.templatePath;
  if (stack.hasNestedStacks) {
    templateFile = path.join(outdir, `${stack.artifactId}.flattened.template.json`);
    fs.writeFileSync(templateFile, JSON.stringify(stack.template));
  }
  try {
    return new nag.cloudformationInclude.CfnInclude(scope, 'Template', { templateFile });
  } catch (e) {
    throw new UsageError(
      `cannot rebuild stack ${stack.displayName} from ${stack.templatePath} with CfnInclude: ${(e as Error).message}`,
    );
  }
}
