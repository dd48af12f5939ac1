/**
 * cdk-nag, loaded from the user's project at run time: it is not a dependency of this package, and its rules
 * must run on the aws-cdk-lib it was installed with, so that aws-cdk-lib is the one that rebuilds the stacks.
 */

import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import type * as cdk from 'aws-cdk-lib';
import type * as cfnInclude from 'aws-cdk-lib/cloudformation-include';
import type { IConstruct } from 'constructs';
import { UsageError } from '../../assembly/assembly';

/** What this tool uses of a cdk-nag 3 rule pack. */
export interface NagPack {
  readonly readPackName: string;
  validateScope(scope: IConstruct): cdk.PolicyValidationPluginReport;
}

type NagPackClass = new (scope?: IConstruct, props?: { verbose?: boolean }) => NagPack;

export interface UserCdkNag {
  readonly version: string;
  /** The folder cdk-nag was loaded from. */
  readonly location: string;
  /** The aws-cdk-lib cdk-nag loads. */
  readonly cdk: typeof cdk;
  readonly cloudformationInclude: typeof cfnInclude;
  /** The packs `serverless-api check` runs, verbose so each finding carries the rule's explanation. */
  packs(): NagPack[];
}

const PACKS = ['AwsSolutionsChecks', 'ServerlessChecks'];
const INSTALL = 'npm install --save-dev cdk-nag';

/**
 * cdk-nag as node would resolve it from each folder in turn (and the folders above it), the first found.
 * The command line passes the working directory, then the cloud assembly's folder.
 */
export function loadCdkNag(searchFrom: string[]): UserCdkNag {
  const packageJson = resolveFrom('cdk-nag/package.json', searchFrom);
  if (!packageJson) {
    throw new UsageError(
      `cdk-nag is not installed in ${searchFrom.join(' or ')} or the folders above: install it in your CDK app with \`${INSTALL}\``,
    );
  }
  const location = path.dirname(packageJson);
  const version = String((JSON.parse(fs.readFileSync(packageJson, 'utf-8')) as { version?: unknown }).version);
  if (Number(version.split('.')[0]) < 3) {
    throw new UsageError(
      `cdk-nag ${version} in ${location} is too old: check needs cdk-nag 3 or newer (\`${INSTALL}@3\`)`,
    );
  }
  const fromNag = createRequire(packageJson);
  const nag = fromNag(location) as { [name: string]: unknown };
  const packClasses = PACKS.map((name) => {
    const pack = nag[name];
    if (typeof pack !== 'function' || typeof pack.prototype?.validateScope !== 'function') {
      throw new UsageError(`cdk-nag ${version} in ${location} has no ${name} with validateScope(): \`${INSTALL}@3\``);
    }
    return pack as NagPackClass;
  });
  return {
    version,
    location,
    packs: () => packClasses.map((Pack) => new Pack(undefined, { verbose: true })),
    cdk: fromNag('aws-cdk-lib') as typeof cdk,
    cloudformationInclude: fromNag('aws-cdk-lib/cloudformation-include') as typeof cfnInclude,
  };
}

function resolveFrom(request: string, folders: string[]): string | undefined {
  for (const folder of folders) {
    try {
      return createRequire(path.join(folder, 'package.json')).resolve(request);
    } catch (e) {
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return undefined;
}
