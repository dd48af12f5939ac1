/**
 * AWS Control Tower's proactive controls, as the CloudFormation Guard rules `@cdklabs/cdk-validator-cfnguard` ships
 * with the cfn-guard binary that runs them. That package is a CDK policy-validation plugin; its plugin reports only the
 * violations, so the gate runs the same binary over the same rules itself, once for many templates, and also reads
 * which rules passed and which did not apply.
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

const PACKAGE_DIR = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
/** The rules the plugin enables by default (`controlTowerRulesEnabled`). */
export const CONTROL_TOWER_RULES = path.join(PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');

/** The binary the plugin runs on this machine (its own choice of folder by platform and architecture). */
function guardBinary(): string {
  const platform = { linux: 'ubuntu', darwin: 'macos' }[os.platform() as string];
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[os.arch() as string];
  if (!platform || !arch) {
    throw new Error(`cfn-guard is shipped for Linux and macOS on x64 and arm64, not ${os.platform()} ${os.arch()}`);
  }
  return path.join(PACKAGE_DIR, 'bin', platform, arch, 'cfn-guard');
}

/** A rule that failed, and the resources it failed on. */
export interface GuardFailure {
  /** The Guard rule's name, e.g. `cloudwatch_alarm_action_check`. */
  readonly rule: string;
  /** The Control Tower control it implements, e.g. `CT.CLOUDWATCH.PR.1`. */
  readonly control: string;
  /** What the control requires, from the rule's own message. */
  readonly description: string;
  /** Logical ids of the resources the rule failed on. */
  readonly logicalIds: string[];
}

/** What the rules found in one template. */
export interface GuardReport {
  /** Rules that applied to the template and passed. */
  readonly passed: string[];
  readonly failed: GuardFailure[];
  /** Rules whose resource types the template does not have. */
  readonly notApplicable: string[];
}

/** Runs the rules over each template (file paths) in one cfn-guard process; the reports come in the same order. */
export function runGuard(templatePaths: string[], rules: string[] = [CONTROL_TOWER_RULES]): GuardReport[] {
  if (templatePaths.length === 0) return [];
  const result = spawnSync(
    guardBinary(),
    [
      'validate',
      ...rules.flatMap((r) => ['--rules', r]),
      ...templatePaths.flatMap((t) => ['--data', t]),
      '--output-format',
      'json',
      '--show-summary',
      'none',
      '--structured',
    ],
    { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 },
  );
  // cfn-guard exits 19 when a rule fails and 0 when none does; anything else is its own failure.
  if (result.error || (result.status !== 0 && result.status !== 19)) {
    throw new Error(`cfn-guard failed (exit ${result.status}): ${result.error?.message ?? result.stderr}`);
  }
  const outputs = JSON.parse(result.stdout) as GuardOutput[];
  return templatePaths.map((templatePath) => {
    const output = outputs.find((o) => path.resolve(o.name) === path.resolve(templatePath));
    if (!output) throw new Error(`cfn-guard reported nothing for ${templatePath}`);
    return report(output);
  });
}

interface GuardOutput {
  readonly name: string;
  readonly compliant?: string[];
  readonly not_applicable?: string[];
  readonly not_compliant?: Array<{ Rule: { name: string } }> | { [key: string]: { Rule: { name: string } } };
}

function report(output: GuardOutput): GuardReport {
  const failed = Object.values(output.not_compliant ?? []).map(({ Rule: rule }): GuardFailure => {
    const text = JSON.stringify(rule);
    // The failing checks name the properties they traversed, `/Resources/<logical id>/Properties/...`.
    const logicalIds = [...new Set([...text.matchAll(/"\/Resources\/([^/"]+)/g)].map((m) => m[1]))].sort();
    // Control Tower's messages read "[CT.SERVICE.PR.n]: what the control requires".
    const message = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]:\s*([^\\]*?)\s*\\n/.exec(text);
    return {
      rule: rule.name,
      control: message?.[1] ?? rule.name,
      description: message?.[2] ?? '',
      logicalIds,
    };
  });
  return {
    passed: [...(output.compliant ?? [])].sort(),
    failed: failed.sort((a, b) => a.rule.localeCompare(b.rule)),
    notApplicable: [...(output.not_applicable ?? [])].sort(),
  };
}
