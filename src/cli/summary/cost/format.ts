/** Renders a cost estimate and its what-if block as plain aligned text. */

import { CostEstimate } from './estimate';
import { WhatIf } from './what-if';
import { formatTable } from '../format';

/** US dollars with cents; amounts under a cent keep two significant digits so that they do not read as free. */
export function usd(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (abs > 0 && abs < 0.005) return `${sign}$${abs.toPrecision(2)}`;
  return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function signed(amount: number): string {
  return amount >= 0 ? `+${usd(amount)}` : usd(amount);
}

export function formatCost(estimate: CostEstimate, whatIf: WhatIf[]): string[] {
  const free = estimate.freeTiersIncluded
    ? 'always-free tiers deducted (as if this app were alone in its account)'
    : 'free tiers not deducted (they are per account)';
  const rows = estimate.lines.map((line) => [line.service, line.driver, line.usage, usd(line.monthlyUsd)]);
  rows.push(['', 'TOTAL', '', usd(estimate.totalUsd)]);
  const lines = [
    `Monthly cost estimate (USD, ${estimate.region} prices of ${estimate.pricesAsOf}; ${free})`,
    `  ${estimate.traffic}`,
    ...formatTable(['SERVICE', 'DRIVER', 'USAGE', 'USD/MONTH'], rows),
    ...estimate.notes.map((note) => `  ${note}`),
  ];
  if (whatIf.length > 0) {
    lines.push('', 'What if (same traffic)');
    const whatIfRows = whatIf.map((w) => [
      w.change,
      `${usd(w.fromUsd)} -> ${usd(w.toUsd)}`,
      signed(w.toUsd - w.fromUsd),
      w.assumption ?? '',
    ]);
    lines.push(...formatTable(['CHANGE', 'COST', 'DIFFERENCE', 'ASSUMING'], whatIfRows));
  }
  return lines;
}
