/** cdk-nag's findings over a construct tree, one per rule and resource, and how a person reads them. */

import type { IConstruct } from 'constructs';
import type { NagPack } from './cdk-nag';

export interface NagFinding {
  /** The pack that reported it: `AwsSolutions`, `Serverless`. */
  readonly pack: string;
  /** The id to acknowledge it with, finding-qualified where the rule qualifies it (`AwsSolutions-IAM5[Resource::*]`). */
  readonly ruleId: string;
  /** `error` or `warning`, as the pack rates the rule. */
  readonly level: string;
  /** The resource's construct path in the app, when known. */
  readonly constructPath?: string;
  /** The resource's logical id in its template. */
  readonly logicalId?: string;
  /** What is wrong and how to fix it, in the rule's words. */
  readonly description: string;
}

/** Where a resource cdk-nag reports, by its path in the checked tree, sits in the user's app. */
export type ResourceLocator = (checkedPath: string) => { readonly constructPath?: string; readonly logicalId?: string };

/**
 * Runs the packs over a construct tree and returns every unacknowledged finding, sorted by resource then rule.
 * cdk-nag 3 checks a tree with `validateScope()`: aws-cdk-lib 2.257 hands no tree to validation plugins
 * (`Validations.of(app).addPlugins()` reports nothing), so the packs run directly.
 */
export function nagFindings(scope: IConstruct, packs: NagPack[], locate = treeLocator(scope)): NagFinding[] {
  const findings = packs.flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((violation) =>
      violation.violatingResources.map((resource): NagFinding => ({
        pack: pack.readPackName,
        ruleId: violation.ruleName,
        level: violation.severity ?? 'error',
        ...locate(resource.constructPath ?? ''),
        description: violation.description,
      })),
    ),
  );
  const key = (f: NagFinding) => `${f.constructPath ?? ''}\u0000${f.logicalId ?? ''}\u0000${f.ruleId}`;
  return findings.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Finds resources in the tree that was checked: the construct path is the app's own, the logical id resolved. */
export function treeLocator(scope: IConstruct): ResourceLocator {
  const byPath = new Map(scope.node.findAll().map((construct) => [construct.node.path, construct]));
  return (checkedPath) => {
    // A CfnElement: aws-cdk-lib is not imported here, so that the command line can run the user's own copy.
    const element = byPath.get(checkedPath) as { logicalId?: unknown; stack?: { resolve(value: unknown): unknown } };
    const logicalId =
      element?.stack && element.logicalId !== undefined ? element.stack.resolve(element.logicalId) : undefined;
    return { constructPath: checkedPath, logicalId: typeof logicalId === 'string' ? logicalId : undefined };
  };
}

/** One line: pack, rule id and level, the resource, then the rule's explanation and fix. */
export function formatFinding(finding: NagFinding): string {
  const where = finding.constructPath ?? '(construct path not recorded)';
  const logicalId = finding.logicalId ? ` [${finding.logicalId}]` : '';
  return `${finding.pack} ${finding.ruleId} (${finding.level}) ${where}${logicalId}: ${finding.description}`;
}
