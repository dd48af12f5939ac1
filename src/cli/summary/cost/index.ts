/** The cost estimate of one stack, and the command-line options that shape it (`--traffic`, `--prices`, ...). */

import * as fs from 'fs';
import * as path from 'path';
import { estimateCost, CostEstimate } from './estimate';
import { costInputsOf } from './inputs';
import { builtInPrices, PriceTable, withOverrides } from './prices';
import { DEFAULT_TRAFFIC, describeTraffic, parseTraffic, TrafficProfile } from './traffic';
import { usageOf } from './usage';
import { whatIfs, WhatIf } from './what-if';
import { UsageError } from '../../../assembly/assembly';
import { CfnTemplate, TemplateIndex } from '../../../assembly/template';
import { booleanOption, CommandIo, OptionSpec, ParsedArguments, stringOption } from '../../command';
import { StackSummary } from '../stack';

export type { CostEstimate, CostLine } from './estimate';
export type { WhatIf } from './what-if';
export { formatCost } from './format';

export interface CostOptions {
  readonly traffic: TrafficProfile;
  /** Where the profile came from, for the head of the estimate. */
  readonly trafficSource: string;
  readonly prices: PriceTable;
  readonly includeFreeTiers: boolean;
}

export const COST_OPTIONS: { readonly [name: string]: OptionSpec } = {
  traffic: {
    type: 'string',
    value: 'FILE',
    description: 'the traffic profile of the cost estimate, JSON (default: 1M requests/month spread over the routes)',
  },
  requests: { type: 'string', value: 'N', description: 'requests a month, over the traffic profile' },
  prices: {
    type: 'string',
    value: 'FILE',
    description: 'JSON object of price-table fields overriding the built-in prices',
  },
  region: {
    type: 'string',
    value: 'REGION',
    description: 'the built-in price table (default: us-east-1, the only one)',
  },
  'free-tier': { type: 'boolean', description: "deduct the account's always-free tiers from the estimate" },
};

function readJson(io: CommandIo, option: string, file: string): unknown {
  const full = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf-8');
  } catch {
    throw new UsageError(`--${option} ${file}: cannot read the file`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--${option} ${file}: not JSON (${(e as Error).message})`);
  }
}

/** The cost options the arguments give, files read and checked. */
export function costOptionsOf(args: ParsedArguments, io: CommandIo): CostOptions {
  const trafficFile = stringOption(args, 'traffic');
  let traffic =
    trafficFile === undefined ? DEFAULT_TRAFFIC : parseTraffic(readJson(io, 'traffic', trafficFile), trafficFile);
  const requests = stringOption(args, 'requests');
  if (requests !== undefined) {
    const value = Number(requests.replace(/_/g, ''));
    if (requests.trim() === '' || !Number.isFinite(value) || value < 0) {
      throw new UsageError(`--requests must be a number of requests a month >= 0, got: ${requests}`);
    }
    traffic = { ...traffic, requestsPerMonth: value };
  }
  const source =
    trafficFile === undefined
      ? requests === undefined
        ? 'the default traffic profile'
        : 'the default traffic profile with --requests'
      : `the traffic profile ${trafficFile}`;
  const pricesFile = stringOption(args, 'prices');
  const table = builtInPrices(stringOption(args, 'region') ?? 'us-east-1');
  return {
    traffic,
    trafficSource: source,
    prices: pricesFile === undefined ? table : withOverrides(table, readJson(io, 'prices', pricesFile), pricesFile),
    includeFreeTiers: booleanOption(args, 'free-tier'),
  };
}

/** Estimates the month's cost of the stack the template and its summary describe. */
export function estimateStack(
  template: CfnTemplate,
  summary: StackSummary,
  options: CostOptions,
): { estimate: CostEstimate; whatIf: WhatIf[] } {
  const inputs = costInputsOf(new TemplateIndex(template), summary);
  const usage = usageOf(inputs, summary, options.traffic);
  const estimate = estimateCost(inputs, usage, {
    prices: options.prices,
    trafficDescription: describeTraffic(options.traffic, options.trafficSource),
    includeFreeTiers: options.includeFreeTiers,
    logCompressionRatio: options.traffic.logCompressionRatio,
    monthlyActiveUsers: options.traffic.monthlyActiveUsers,
    kmsRequestsPerKey: options.traffic.kmsRequestsPerKey,
  });
  return {
    estimate,
    whatIf: whatIfs(inputs, usage, { prices: options.prices, peakToAverage: options.traffic.peakToAverage }),
  };
}
