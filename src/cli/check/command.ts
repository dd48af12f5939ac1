/** `serverless-api check`: cdk-nag's AwsSolutions and Serverless packs over the synthesized stacks. */

import { loadCdkNag } from './cdk-nag';
import { formatFinding } from './findings';
import { checkStacks, StackCheck } from './rebuild';
import { booleanOption, Command } from '../command';
import { ASSEMBLY_DIR_ARGUMENT, selectedStacks, STACK_OPTION, STACK_OPTION_NAME } from '../common-arguments';

export const checkCommand: Command = {
  name: 'check',
  summary: "run cdk-nag's AwsSolutions and Serverless packs over each stack",
  description: [
    "Runs cdk-nag's AwsSolutions and Serverless rule packs over the stacks `cdk synth` wrote, honouring every",
    'acknowledgement the app recorded with Validations.of(construct).acknowledge() (one on a construct covers the',
    'resources below it). Prints one line per unacknowledged finding (pack, rule id, level, construct path and',
    "logical id, the rule's explanation) and exits 1, or a count line and exits 0 when there is none.",
    '',
    'cdk-nag 3 comes from your project (`npm install --save-dev cdk-nag`), found from the working directory,',
    'then from the cloud assembly folder, and runs on the aws-cdk-lib it was installed with.',
  ].join('\n'),
  arguments: [ASSEMBLY_DIR_ARGUMENT],
  options: {
    [STACK_OPTION_NAME]: STACK_OPTION,
    json: { type: 'boolean', description: 'print the findings as JSON' },
  },
  async run(args, io) {
    const { assemblyDir, stacks } = selectedStacks(args, io);
    const nag = loadCdkNag([io.cwd, assemblyDir]);
    const checks = checkStacks(stacks, nag);
    checks.forEach((check) => notes(check).forEach((note) => io.err(`serverless-api: note: ${note}\n`)));
    const findings = checks.flatMap((c) => c.findings.map((finding) => ({ stack: c.stack.displayName, ...finding })));
    if (booleanOption(args, 'json')) {
      io.out(`${JSON.stringify(findings, undefined, 2)}\n`);
      return findings.length > 0 ? 1 : 0;
    }
    findings.forEach((finding) => io.out(`${formatFinding(finding)}\n`));
    const resources = checks.reduce((sum, c) => sum + c.resources, 0);
    const scope = `${resources} resources in ${plural(checks.length, 'stack')} (${checks.map((c) => c.stack.displayName).join(', ')})`;
    const packNames = nag.packs().map((pack) => pack.readPackName);
    const packs = `cdk-nag ${nag.version} ${packNames.join(' and ')}`;
    io.out(`${plural(findings.length, 'unacknowledged finding')}: ${packs} over ${scope}\n`);
    if (findings.length > 0) {
      io.out(
        "Fix each finding, or acknowledge it where you build the resource with the reason it is acceptable: Validations.of(construct).acknowledge({ id: '<rule id>', reason: '...' })\n",
      );
    }
    return findings.length > 0 ? 1 : 0;
  },
};

/** What the check could not do for a stack, so a clean result is not read as more than it is. */
function notes(check: StackCheck): string[] {
  const name = check.stack.displayName;
  const found: string[] = [];
  if (check.withoutPath.length > 0) {
    found.push(
      `stack ${name} records no construct path for ${check.withoutPath.join(', ')} (aws:cdk:logicalId metadata ` +
        'and aws:cdk:path are off), so only acknowledgements on the stack itself cover them',
    );
  }
  if (check.nestedStacks.length > 0) {
    found.push(
      `stack ${name} has nested stacks (${check.nestedStacks.join(', ')}): the resources in their templates are not checked`,
    );
  }
  return found;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
