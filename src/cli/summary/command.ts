/** `serverless-api summary`: what each synthesized stack defines, read from the cloud assembly. */

import { formatSummary } from './format';
import { summarizeTemplate } from './stack';
import { booleanOption, Command } from '../command';
import { ASSEMBLY_DIR_ARGUMENT, selectedStacks, STACK_OPTION, STACK_OPTION_NAME } from '../common-arguments';

export const summaryCommand: Command = {
  name: 'summary',
  summary: 'print the routes, authorization, functions, table access and alarms of each stack',
  description: [
    'Prints what each stack of the cloud assembly defines: APIs, stages and throttling, routes with their',
    'authorization and function, functions, tables and indexes, access patterns, the DynamoDB actions each',
    "function's role allows and on which keys, log groups, alarms and dashboards, with warnings. It reads the",
    'templates `cdk synth` wrote, so it shows what was synthesized, not what the code meant to synthesize.',
    'Stacks in a Stage are named Stage/Stack.',
  ].join('\n'),
  arguments: [ASSEMBLY_DIR_ARGUMENT],
  options: {
    [STACK_OPTION_NAME]: STACK_OPTION,
    json: { type: 'boolean', description: 'print the summaries as JSON, with what the text leaves out' },
  },
  async run(args, io) {
    const { stacks } = selectedStacks(args, io);
    const summaries = stacks.map((stack) => summarizeTemplate(stack.template, stack.stackName));
    io.out(
      booleanOption(args, 'json')
        ? `${JSON.stringify(summaries, undefined, 2)}\n`
        : summaries.map(formatSummary).join('\n'),
    );
    return 0;
  },
};
