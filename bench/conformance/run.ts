/**
 * Template conformance figures: for the task-board example and each ServerlessApi configuration of the conformance
 * set, what CloudFormation's own validation (`@aws/cloudformation-validate`) and AWS Control Tower's proactive-control
 * guard rules (`@cdklabs/cdk-validator-cfnguard`, cfn-guard) find. The same checks gate the unit tests
 * (test/conformance/); this prints the figures, the acknowledged findings with their reasons, and what each step cost.
 * Exits 1 when there is a schema error or a finding no acknowledgement covers.
 *
 *   npx projen conformance
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONFORMANCE_APPS, synthesizeApps } from '../../test/helpers/conformance/apps';
import {
  checkConformance,
  TemplateConformance,
  unacknowledgedFindings,
} from '../../test/helpers/conformance/conformance';
import { runGuard } from '../../test/helpers/conformance/guard';
import { formatSchemaFinding, validateTemplate } from '../../test/helpers/conformance/schema';

function seconds(since: bigint): string {
  return `${(Number(process.hrtime.bigint() - since) / 1e9).toFixed(2)} s`;
}

/** A Markdown table: the first column left-aligned, the figures right-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n');
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-'));
try {
  let start = process.hrtime.bigint();
  const apps = synthesizeApps(outdir);
  const synthTime = seconds(start);

  start = process.hrtime.bigint();
  validateTemplate({ name: 'empty', body: '{"Resources":{}}' });
  const engineTime = seconds(start);

  start = process.hrtime.bigint();
  runGuard([apps[0].templatePath]);
  const guardOneTime = seconds(start);

  start = process.hrtime.bigint();
  const results: TemplateConformance[] = checkConformance(apps, validateTemplate);
  const checkTime = seconds(start);

  console.log(`Template conformance of ${apps.length} apps (${CONFORMANCE_APPS.map((a) => a.name).join(', ')})\n`);
  console.log(
    table([
      [
        'app',
        'resources',
        'schema errors',
        'schema warnings',
        'guard applicable',
        'passed',
        'failed',
        'acknowledged',
        'not applicable',
      ],
      ...results.map((r) => [
        r.name,
        `${r.resources}`,
        `${r.schema.errors.length}`,
        `${r.schema.warnings.length}`,
        `${r.rulesApplicable}`,
        `${r.rulesPassed}`,
        `${r.rulesFailed}`,
        `${r.rulesAcknowledged}`,
        `${r.rulesNotApplicable}`,
      ]),
    ]),
  );
  console.log(
    `\nschema: ${results[0].schema.rulesEvaluated} rules of CloudFormation validation per template; guard: the Control Tower rules of @cdklabs/cdk-validator-cfnguard`,
  );

  // Warnings by rule and message, with the quoted names left out so the same warning on many resources counts once.
  const warnings = new Map<string, number>();
  for (const w of results.flatMap((r) => r.schema.warnings)) {
    const key = `${w.ruleId} ${w.message.replace(/'[^']*'/g, "'…'")}`;
    warnings.set(key, (warnings.get(key) ?? 0) + 1);
  }
  if (warnings.size > 0) {
    console.log('\nSchema warnings (never failing), by rule:');
    warnings.forEach((count, warning) => console.log(`  ${count} × ${warning}`));
  }

  console.log('\nAcknowledged guard findings (test/helpers/conformance/acknowledgements.ts):');
  const byControl = new Map<string, { resources: number; apps: Set<string>; reason: string; resourceType: string }>();
  for (const r of results) {
    for (const f of r.findings.filter((x) => x.acknowledgement)) {
      const entry = byControl.get(f.control) ?? {
        resources: 0,
        apps: new Set(),
        reason: f.acknowledgement!.reason,
        resourceType: f.resourceType,
      };
      entry.resources++;
      entry.apps.add(r.name);
      byControl.set(f.control, entry);
    }
  }
  byControl.forEach((e, control) =>
    console.log(`  ${control} on ${e.resourceType}: ${e.resources} resources in ${e.apps.size} apps. ${e.reason}`),
  );

  const problems = results.flatMap((r) => [
    ...r.schema.errors.map((e) => `${r.name}: schema: ${formatSchemaFinding(e)}`),
    ...unacknowledgedFindings(r).map((f) => `${r.name}: guard: ${f}`),
  ]);
  console.log(
    `\nCost: synth ${synthTime}; validation engine load ${engineTime}; cfn-guard over 1 template ${guardOneTime}; ` +
      `both checks over ${apps.length} templates ${checkTime}`,
  );
  if (problems.length > 0) {
    console.log(`\n${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('\nNo schema error and no unacknowledged guard finding.');
  }
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
