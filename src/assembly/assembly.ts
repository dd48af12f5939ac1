/** Reading the stacks of a synthesized cloud assembly. */

import * as fs from 'fs';
import * as path from 'path';
import { CfnTemplate, obj, str } from './template';

/** An error the command line reports as a message, without a stack trace. */
export class UsageError extends Error {}

export interface AssemblyStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

/** Stacks of a cloud assembly, without nested assemblies and integ-tests assertion stacks. */
export function loadAssemblyStacks(assemblyDir: string): AssemblyStack[] {
  if (!fs.existsSync(assemblyDir) || !fs.statSync(assemblyDir).isDirectory()) {
    throw new UsageError(`cloud assembly directory not found: ${assemblyDir}`);
  }
  const manifestPath = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new UsageError(
      `no manifest.json in ${assemblyDir}: pass a cdk.out or *.snapshot directory (run synth first)`,
    );
  }
  const artifacts = obj(obj(JSON.parse(fs.readFileSync(manifestPath, 'utf-8'))).artifacts);
  return Object.entries(artifacts)
    .map(([id, artifact]) => ({ id, artifact: obj(artifact) }))
    .filter(({ artifact }) => artifact.type === 'aws:cloudformation:stack')
    .filter(({ id, artifact }) => ![id, str(artifact.displayName) ?? ''].some((name) => name.includes('DeployAssert')))
    .map(({ id, artifact }) => {
      const templateFile = str(obj(artifact.properties).templateFile);
      const templatePath = path.join(assemblyDir, templateFile ?? `${id}.template.json`);
      if (!fs.existsSync(templatePath)) throw new UsageError(`template of stack ${id} not found: ${templatePath}`);
      const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8')) as CfnTemplate;
      return { stackName: str(artifact.displayName) ?? id, template };
    });
}
