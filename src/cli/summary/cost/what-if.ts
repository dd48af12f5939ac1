/**
 * What a change would do to the month's bill, at the same traffic: the other API type, half or double each
 * function's memory (at the same duration), and the other DynamoDB billing mode.
 */

import { apiRequestsUsd, gbSeconds, HOURS_PER_MONTH, lambdaComputeUsd } from './estimate';
import { CostInputs } from './inputs';
import { PriceTable } from './prices';
import { Usage } from './usage';

export interface WhatIf {
  /** The change, in words. */
  readonly change: string;
  readonly fromUsd: number;
  readonly toUsd: number;
  /** What the figure assumes. */
  readonly assumption?: string;
}

/** Provisioned capacity runs best below this share of its units; auto scaling targets 70% by default. */
const TARGET_UTILIZATION = 0.7;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const MIN_MEMORY_MB = 128;
const MAX_MEMORY_MB = 10_240;

export interface WhatIfOptions {
  readonly prices: PriceTable;
  readonly peakToAverage: number;
}

export function whatIfs(inputs: CostInputs, usage: Usage, options: WhatIfOptions): WhatIf[] {
  const p = options.prices;
  const result: WhatIf[] = [];
  for (const api of inputs.apis) {
    const requests = usage.apiRequests.get(api.name) ?? 0;
    const other = api.type === 'HTTP' ? 'REST' : 'HTTP';
    result.push({
      change: `API ${api.name} as ${other === 'HTTP' ? 'an' : 'a'} ${other} API instead of ${api.type}`,
      fromUsd: apiRequestsUsd(p, api.type, requests),
      toUsd: apiRequestsUsd(p, other, requests),
      assumption:
        other === 'HTTP'
          ? 'HTTP APIs lack usage plans, API keys, caching and request validation'
          : 'REST adds usage plans, API keys, caching and request validation',
    });
  }
  for (const fn of inputs.functions) {
    const invocations = usage.invocations.get(fn.name) ?? 0;
    if (invocations === 0) continue;
    const duration = usage.durationMs.get(fn.name) ?? 0;
    const cost = (memoryMb: number) =>
      lambdaComputeUsd(p, fn.architecture, gbSeconds({ memoryMb }, invocations, duration));
    for (const memoryMb of [Math.max(MIN_MEMORY_MB, fn.memoryMb / 2), Math.min(MAX_MEMORY_MB, fn.memoryMb * 2)]) {
      if (memoryMb === fn.memoryMb) continue;
      result.push({
        change: `function ${fn.name} at ${memoryMb} MB instead of ${fn.memoryMb} MB`,
        fromUsd: cost(fn.memoryMb),
        toUsd: cost(memoryMb),
        assumption: `same ${duration} ms duration (CPU scales with memory: CPU-bound code runs faster with more)`,
      });
    }
  }
  for (const table of inputs.tables) {
    const used = usage.tables.find((t) => t.name === table.name)!;
    const onDemand =
      (used.readUnits * p.dynamodbReadRequestUnitsPerMillion +
        used.writeUnits * p.dynamodbWriteRequestUnitsPerMillion) /
      1_000_000;
    // Capacity for the peak rate at the target utilization, at least one unit of each per replica.
    const units = (requestUnits: number, perReplica: number) =>
      Math.max(
        1,
        Math.ceil(((requestUnits / perReplica / SECONDS_PER_MONTH) * options.peakToAverage) / TARGET_UTILIZATION),
      );
    const rcu = units(used.readUnits, table.replicas);
    const wcu = units(used.writeUnits, table.replicas);
    const provisionedFor = (r: number, w: number) =>
      (r * p.dynamodbRcuHour + w * p.dynamodbWcuHour) * HOURS_PER_MONTH * table.replicas;
    if (table.provisioned === undefined) {
      result.push({
        change: `table ${table.name} provisioned (${rcu} RCU, ${wcu} WCU) instead of on-demand`,
        fromUsd: onDemand,
        toUsd: provisionedFor(rcu, wcu),
        assumption: `sized for ${options.peakToAverage}x the average rate at ${TARGET_UTILIZATION * 100}% utilization`,
      });
    } else {
      result.push({
        change: `table ${table.name} on-demand instead of provisioned`,
        fromUsd: provisionedFor(table.provisioned.rcu, table.provisioned.wcu),
        toUsd: onDemand,
      });
    }
  }
  return result;
}
