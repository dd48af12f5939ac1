/** Choosing stacks of a cloud assembly by name, as a user names them on a command line. */

import { loadStackArtifacts, StackArtifact, UsageError } from './assembly';

/**
 * The stacks of the assembly and of its nested assemblies (a Stage's, a pipeline's stages), without integ-tests
 * assertion stacks: all of them, or the one `name` names (its display name, `Stage/Stack` in a Stage, or its
 * artifact id). A name that matches none is an error listing the names that would.
 */
export function selectStacks(assemblyDir: string, name?: string): StackArtifact[] {
  const stacks = loadStackArtifacts(assemblyDir, { nested: true }).filter(
    (stack) => ![stack.artifactId, stack.displayName].some((id) => id.includes('DeployAssert')),
  );
  if (stacks.length === 0) throw new UsageError(`no CloudFormation stacks in ${assemblyDir}`);
  if (name === undefined) return stacks;
  const named = stacks.filter((stack) => stack.displayName === name || stack.artifactId === name);
  if (named.length === 0) {
    const names = stacks.map((stack) => stack.displayName).join(', ');
    throw new UsageError(`no stack "${name}" in ${assemblyDir}: pass the name of one of its stacks: ${names}`);
  }
  return named;
}
