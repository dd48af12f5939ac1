/** `serverless-api summary`: what each synthesized stack defines, read from the cloud assembly, and its monthly cost. */

import { COST_OPTIONS, costOptionsOf, estimateStack, formatCost } from './cost';
import { formatSummary } from './format';
import { summarizeTemplate } from './stack';
import { booleanOption, Command } from '../command';
import { ASSEMBLY_DIR_ARGUMENT, selectedStacks, STACK_OPTION, STACK_OPTION_NAME } from '../common-arguments';

export const summaryCommand: Command = {
  name: 'summary',
  summary: 'print the routes, authorization, functions, table access, alarms and monthly cost of each stack',
  description: [
    'Prints what each stack of the cloud assembly defines: APIs, stages and throttling, routes with their',
    'authorization and function, functions, tables and indexes, access patterns, the DynamoDB actions each',
    "function's role allows and on which keys, log groups, alarms and dashboards, with warnings. It reads the",
    'templates `cdk synth` wrote, so it shows what was synthesized, not what the code meant to synthesize.',
    'Stacks in a Stage are named Stage/Stack.',
    '',
    'Then a monthly cost estimate in USD, one line per cost driver, for a traffic profile (a stated default,',
    '`--traffic FILE` or `--requests N`), priced from the built-in us-east-1 table (`--prices FILE` overrides it),',
    'with what switching the API type, function memory or table billing mode would change.',
  ].join('\n'),
  arguments: [ASSEMBLY_DIR_ARGUMENT],
  options: {
    [STACK_OPTION_NAME]: STACK_OPTION,
    json: { type: 'boolean', description: 'print the summaries as JSON, with what the text leaves out' },
    ...COST_OPTIONS,
  },
  async run(args, io) {
    const { stacks } = selectedStacks(args, io);
    const costOptions = costOptionsOf(args, io);
    const results = stacks.map((stack) => {
      const summary = summarizeTemplate(stack.template, stack.stackName);
      return { summary, ...estimateStack(stack.template, summary, costOptions) };
    });
    io.out(
      booleanOption(args, 'json')
        ? `${JSON.stringify(
            results.map(({ summary, estimate, whatIf }) => ({ ...summary, cost: { ...estimate, whatIf } })),
            undefined,
            2,
          )}\n`
        : results
            .map(
              ({ summary, estimate, whatIf }) =>
                `${formatSummary(summary)}\n${formatCost(estimate, whatIf).join('\n')}\n`,
            )
            .join('\n'),
    );
    return 0;
  },
};
