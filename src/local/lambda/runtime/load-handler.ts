/**
 * Loads the handler a function's `Handler` names, as Lambda's Node.js runtime does (runtime interface client,
 * src/UserFunction.js): `index.handler` is `<task root>/index` as a file without extension, `index.js` (CommonJS
 * unless the nearest package.json says `"type": "module"`), `index.mjs` (ES module) or `index.cjs`; failures become
 * `Runtime.ImportModuleError`, `Runtime.UserCodeSyntaxError`, `Runtime.HandlerNotFound` or
 * `Runtime.MalformedHandlerName`. Runs inside the execution environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuntimeError, withSdkHint } from './runtime-errors';

export type Handler = (event: unknown, context: unknown, callback: unknown) => unknown;

/**
 * ES modules ignore NODE_PATH, so imports a bundle leaves out resolve from the module roots' `node_modules` once
 * Node's own resolution (the bundle's folder upwards) has failed.
 */
const ESM_RESOLVE_HOOK = `
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
let parents = [];
export async function initialize(data) {
  parents = data.moduleRoots.map((root) => pathToFileURL(join(root, 'noop.js')).href);
}
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || /^(\\.|\\/|file:|node:)/.test(specifier)) throw error;
    for (const parentURL of parents) {
      try {
        return await next(specifier, { ...context, parentURL });
      } catch {}
    }
    throw error;
  }
}`;

/** The runtime's own `require`: user modules are loaded by absolute path, so they resolve from their own folder. */
const runtimeRequire = createRequire(__filename);

let esmHookRegistered = false;

async function importModule(file: string, moduleRoots: readonly string[]): Promise<unknown> {
  if (!esmHookRegistered) {
    esmHookRegistered = true;
    register(`data:text/javascript,${encodeURIComponent(ESM_RESOLVE_HOOK)}`, {
      data: { moduleRoots: [...moduleRoots] },
    });
  }
  return import(pathToFileURL(file).href);
}

function requireIfExists(file: string): unknown {
  return existsSync(file) ? runtimeRequire(file) : undefined;
}

/** Whether the nearest package.json above `folder` (stopping at a node_modules folder) says `"type": "module"`. */
function folderIsModule(folder: string): boolean {
  if (folder.endsWith('/node_modules')) return false;
  const manifest = join(folder, 'package.json');
  if (existsSync(manifest)) {
    try {
      return JSON.parse(readFileSync(manifest, 'utf8'))?.type === 'module';
    } catch (error) {
      console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, error);
      return false;
    }
  }
  const parent = resolve(folder, '..');
  return parent === folder ? false : folderIsModule(parent);
}

async function loadModule(taskRoot: string, moduleRoot: string, moduleName: string, moduleRoots: readonly string[]) {
  const base = resolve(taskRoot, moduleRoot, moduleName);
  const extensionless = requireIfExists(base);
  if (extensionless) return extensionless;
  const jsIsModule = existsSync(`${base}.js`) && folderIsModule(dirname(`${base}.js`));
  if (!jsIsModule) {
    const loaded = requireIfExists(`${base}.js`);
    if (loaded) return loaded;
  }
  const imported =
    (jsIsModule && (await importModule(`${base}.js`, moduleRoots))) ||
    (existsSync(`${base}.mjs`) && (await importModule(`${base}.mjs`, moduleRoots))) ||
    requireIfExists(`${base}.cjs`);
  if (imported) return imported;
  return runtimeRequire(runtimeRequire.resolve(moduleName, { paths: [taskRoot, moduleRoot] }));
}

/** The handler function, or a `Runtime.*` error named and worded as Lambda's. */
export async function loadHandler(taskRoot: string, handler: string, moduleRoots: readonly string[]): Promise<Handler> {
  if (handler.includes('..')) {
    throw new RuntimeError(
      'MalformedHandlerName',
      `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const moduleAndHandler = basename(handler);
  const moduleRoot = handler.substring(0, handler.indexOf(moduleAndHandler));
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (!match) throw new RuntimeError('MalformedHandlerName', 'Bad handler');
  const [, moduleName, handlerPath] = match;

  let userModule: unknown;
  try {
    userModule = await loadModule(taskRoot, moduleRoot, moduleName, moduleRoots);
  } catch (error) {
    if (error instanceof SyntaxError) throw wrap('UserCodeSyntaxError', error);
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') throw wrap('ImportModuleError', error);
    throw error;
  }
  const found = handlerPath
    .split('.')
    .reduce<unknown>((nested, key) => (nested ? (nested as { [key: string]: unknown })[key] : undefined), userModule);
  if (!found) throw new RuntimeError('HandlerNotFound', `${handler} is undefined or not exported`);
  if (typeof found !== 'function') throw new RuntimeError('HandlerNotFound', `${handler} is not a function`);
  return found as Handler;
}

/** The runtime builds these errors from the original one, so the message is `Error: Cannot find module ...`. */
function wrap(kind: string, error: unknown): RuntimeError {
  const wrapped = new RuntimeError(kind, withSdkHint(error, String(error)));
  Object.assign(wrapped, { cause: error });
  return wrapped;
}
