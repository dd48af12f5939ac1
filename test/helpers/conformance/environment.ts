/**
 * The suites' test environment: Node's, plus the template validator of the worker. A test file runs in a fresh module
 * registry, but this module is loaded once per worker, so the validation engine (a WebAssembly module that takes about
 * a second and 350 MB to load) loads once per worker too.
 */
import { TestEnvironment } from 'jest-environment-node';
import { shareSchemaValidator, validateTemplate } from './schema';

export default class ConformanceEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    shareSchemaValidator(this.global, validateTemplate);
  }
}
