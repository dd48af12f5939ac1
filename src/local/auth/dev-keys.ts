/**
 * The local API's signing keys and IAM credentials: made once per project and kept in the project's cache folder,
 * so `serverless-api token` and `serverless-api dev`, two processes, agree on them without talking to each other.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { JWK } from 'jose';
import { BundleCache } from '../../functions/bundling/bundle-cache';

/** Bumped when the file's shape changes: an older file is refused with a message saying how to renew it. */
const KEY_FILE_FORMAT = 1;
const KEY_FILE_NAME = 'local-dev-keys.json';

/** The access key and secret the local API accepts on IAM routes, as a local IAM user's. */
export interface LocalIamCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The keys the local API trusts: tokens signed with `privateKey`, requests signed with `iamCredentials`. */
export interface DevKeys {
  /** Key id (the JWK thumbprint of the public key), the `kid` of every token signed with it. */
  readonly kid: string;
  /** RSA 2048 private key that signs RS256 tokens. */
  readonly privateKey: crypto.KeyObject;
  /** The public half as a JWK, as an issuer's `jwks_uri` would list it. */
  readonly publicJwk: JWK;
  readonly iamCredentials: LocalIamCredentials;
}

export interface LoadDevKeysOptions {
  /**
   * Folder of the key file.
   * @default - the bundler's cache folder: `$CDK_SERVERLESS_API_CACHE_DIR`, else `node_modules/.cache/cdk-serverless-api`
   * of the working directory
   */
  readonly dir?: string;
}

interface KeyFile {
  readonly format: number;
  readonly kid: string;
  readonly privateKeyPem: string;
  readonly publicJwk: JWK;
  readonly iamCredentials: LocalIamCredentials;
  readonly createdAt: string;
}

/** The public key of each loaded key pair, derived once. */
const publicKeys = new WeakMap<DevKeys, crypto.KeyObject>();

/** The key pair and credentials of this project, made and stored (mode 0600) on first use. */
export function loadDevKeys(options: LoadDevKeysOptions = {}): DevKeys {
  const dir = options.dir ?? BundleCache.forProject(process.cwd()).dir;
  const file = path.join(dir, KEY_FILE_NAME);
  if (!fs.existsSync(file)) writeKeyFileOnce(dir, file);
  return readKeyFile(file);
}

/** Where `loadDevKeys` keeps the keys for `options`. */
export function devKeysFile(options: LoadDevKeysOptions = {}): string {
  return path.join(options.dir ?? BundleCache.forProject(process.cwd()).dir, KEY_FILE_NAME);
}

/** The public key that verifies tokens signed with `keys`. */
export function devPublicKey(keys: DevKeys): crypto.KeyObject {
  let key = publicKeys.get(keys);
  if (!key) {
    key = crypto.createPublicKey(keys.privateKey);
    publicKeys.set(keys, key);
  }
  return key;
}

/**
 * Writes a new key file unless another process wins the race: the file appears complete or not at all (written
 * aside, then hard-linked into place, which fails if the name is taken).
 */
function writeKeyFileOnce(dir: string, file: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = exportJwkSync(crypto.createPublicKey(privateKey));
  const kid = thumbprintSync(publicJwk);
  const content: KeyFile = {
    format: KEY_FILE_FORMAT,
    kid,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
    iamCredentials: newIamCredentials(),
    createdAt: new Date().toISOString(),
  };
  const aside = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(aside, JSON.stringify(content, null, 2), { mode: 0o600, flag: 'wx' });
  try {
    publishOnce(aside, file);
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** Puts `aside` at `file` unless `file` exists; the first process to get there wins and the others read its keys. */
function publishOnce(aside: string, file: string): void {
  try {
    fs.linkSync(aside, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    // Some file systems have no hard links: an exclusive copy still never replaces another process's keys.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    try {
      fs.copyFileSync(aside, file, fs.constants.COPYFILE_EXCL);
    } catch (copyError) {
      if ((copyError as NodeJS.ErrnoException).code !== 'EEXIST') throw copyError;
    }
  }
}

function readKeyFile(file: string): DevKeys {
  const renew = `Delete ${file} and a new key pair is made on the next run (tokens signed with the old one stop working).`;
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`The local API's key file ${file} cannot be read: ${(error as Error).message}. ${renew}`);
  }
  if (parsed?.format !== KEY_FILE_FORMAT) {
    throw new Error(
      `The local API's key file ${file} has format ${parsed?.format}, expected ${KEY_FILE_FORMAT}. ${renew}`,
    );
  }
  const credentials = parsed.iamCredentials;
  if (
    typeof parsed.kid !== 'string' ||
    typeof parsed.privateKeyPem !== 'string' ||
    typeof credentials?.accessKeyId !== 'string' ||
    typeof credentials?.secretAccessKey !== 'string'
  ) {
    throw new Error(`The local API's key file ${file} lacks its kid, private key or IAM credentials. ${renew}`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(parsed.privateKeyPem);
  } catch (error) {
    throw new Error(
      `The local API's key file ${file} holds no readable private key: ${(error as Error).message}. ${renew}`,
    );
  }
  tightenMode(file);
  return {
    kid: parsed.kid,
    privateKey,
    publicJwk: parsed.publicJwk,
    iamCredentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  };
}

/** A file copied or unpacked with a wider mode is narrowed again: it holds secrets. */
function tightenMode(file: string): void {
  if (process.platform === 'win32') return;
  try {
    if (fs.statSync(file).mode % 0o1000 !== 0o600) fs.chmodSync(file, 0o600);
  } catch {
    // Someone else's file: readable, so usable; its mode is theirs to fix.
  }
}

/** An access key id shaped as IAM's (`AKIA` and 16 upper-case letters or digits) and a 40-character secret. */
function newIamCredentials(): LocalIamCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = Array.from(crypto.randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
  return {
    accessKeyId: `AKIA${id}`,
    secretAccessKey: crypto.randomBytes(30).toString('base64'),
  };
}

/** Node's KeyObject exports a JWK synchronously (jose's export is async only because of WebCrypto). */
function exportJwkSync(key: crypto.KeyObject): JWK {
  return key.export({ format: 'jwk' }) as JWK;
}

/** RFC 7638 thumbprint of an RSA JWK: SHA-256 over its required members in lexicographic order. */
function thumbprintSync(jwk: JWK): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}
