/** Which stack of a cloud assembly holds the API to run. */

import { loadStackArtifacts, StackArtifact, UsageError } from '../../assembly/assembly';
import { CfnTemplate, T } from '../../assembly/template';

/** The API Gateway APIs of a template that the local API runs: HTTP APIs and REST APIs (not WebSocket APIs). */
export function apiResources(template: CfnTemplate): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(
      ([, resource]) =>
        resource.Type === T.restApi || (resource.Type === T.api && resource.Properties?.ProtocolType === 'HTTP'),
    )
    .map(([id]) => id);
}

/** The stacks of the assembly and of its nested assemblies (stages) that hold an API. */
export function stacksWithApi(assemblyDir: string): { all: StackArtifact[]; withApi: StackArtifact[] } {
  const all = loadStackArtifacts(assemblyDir, { nested: true });
  return { all, withApi: all.filter((stack) => apiResources(stack.template).length > 0) };
}

function names(stacks: StackArtifact[]): string {
  return stacks.length === 0 ? '(none)' : stacks.map((stack) => stack.displayName).join(', ');
}

/** The stack `stack` names (display name or artifact id), or the one stack with an API when it names none. */
export function selectStack(assemblyDir: string, stack?: string): StackArtifact {
  const { all, withApi } = stacksWithApi(assemblyDir);
  if (stack !== undefined) {
    const named = all.find((candidate) => candidate.displayName === stack || candidate.artifactId === stack);
    if (named === undefined) {
      throw new UsageError(
        `no stack "${stack}" in ${assemblyDir}: pass the name of a stack with an API, one of: ${names(withApi)}`,
      );
    }
    if (!withApi.includes(named)) {
      throw new UsageError(
        `stack "${stack}" in ${assemblyDir} holds no API Gateway API: pass the name of a stack with an API, one of: ${names(withApi)}`,
      );
    }
    return named;
  }
  if (withApi.length === 0) {
    throw new UsageError(
      `no stack in ${assemblyDir} holds an API Gateway API (stacks: ${names(all)}): synthesize the app that declares the ServerlessApi into this folder`,
    );
  }
  if (withApi.length > 1) {
    throw new UsageError(
      `${withApi.length} stacks in ${assemblyDir} hold an API: choose one with the stack option (--stack), one of: ${names(withApi)}`,
    );
  }
  return withApi[0];
}
