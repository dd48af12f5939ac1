/** The command line: arguments, output and exit code. */

import { formatSummary } from './format';
import { summarizeTemplate } from './stack';
import { loadAssemblyStacks, UsageError } from '../../assembly/assembly';

const USAGE = 'usage: ts-node --project tsconfig.dev.json integ/summarize.ts <cloud-assembly-dir> [--json]';

/** Runs the command line and returns its exit code; output goes through the writers so tests can capture it. */
export function main(
  args: string[],
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text),
): number {
  const json = args.includes('--json');
  const positional = args.filter((arg) => !arg.startsWith('--'));
  const unknown = args.filter((arg) => arg.startsWith('--') && arg !== '--json');
  if (positional.length !== 1 || unknown.length > 0) {
    err(`${USAGE}\n`);
    return 1;
  }
  try {
    const stacks = loadAssemblyStacks(positional[0]);
    if (stacks.length === 0) throw new UsageError(`no CloudFormation stacks in ${positional[0]}`);
    const summaries = stacks.map((stack) => summarizeTemplate(stack.template, stack.stackName));
    out(json ? `${JSON.stringify(summaries, undefined, 2)}\n` : summaries.map(formatSummary).join('\n'));
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof SyntaxError)) throw e;
    err(`error: ${e.message}\n`);
    return 1;
  }
}
