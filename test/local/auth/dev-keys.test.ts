import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { buildSync } from 'esbuild';
import { calculateJwkThumbprint, importJWK, jwtVerify } from 'jose';
import { devKeysFile, issueDevToken, loadDevKeys } from '../../../src/local/auth';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'local-auth-dev-keys-'));

describe('loadDevKeys', () => {
  test('GIVEN no key file WHEN loading THEN a 2048-bit RSA pair and IAM credentials are stored, readable by the owner only', () => {
    const dir = tempDir();

    const keys = loadDevKeys({ dir });

    const file = path.join(dir, 'local-dev-keys.json');
    expect(fs.statSync(file).mode % 0o1000).toBe(0o600);
    expect(keys.privateKey.asymmetricKeyType).toBe('rsa');
    expect(keys.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(keys.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: keys.kid });
    expect(keys.publicJwk).not.toHaveProperty('d');
    expect(keys.iamCredentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(keys.iamCredentials.secretAccessKey).toHaveLength(40);
  });

  test('GIVEN a stored key file WHEN loading again THEN the same keys come back', () => {
    const dir = tempDir();
    const first = loadDevKeys({ dir });

    const second = loadDevKeys({ dir });

    expect(second.kid).toBe(first.kid);
    expect(second.iamCredentials).toEqual(first.iamCredentials);
    expect(second.privateKey.export({ type: 'pkcs8', format: 'pem' })).toEqual(
      first.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
  });

  test('the kid is the RFC 7638 thumbprint of the public key, and the public JWK verifies tokens the private key signs', async () => {
    const keys = loadDevKeys({ dir: tempDir() });

    expect(await calculateJwkThumbprint(keys.publicJwk)).toBe(keys.kid);
    const token = await issueDevToken(keys, { issuer: 'https://issuer.test', sub: 'u1', clientId: 'c1' });
    const { payload, protectedHeader } = await jwtVerify(token, await importJWK(keys.publicJwk, 'RS256'));
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: keys.kid, typ: 'JWT' });
    expect(payload.sub).toBe('u1');
  });

  test('GIVEN a key file someone widened to 0644 WHEN loading THEN it is narrowed to 0600 again', () => {
    const dir = tempDir();
    loadDevKeys({ dir });
    const file = path.join(dir, 'local-dev-keys.json');
    fs.chmodSync(file, 0o644);

    loadDevKeys({ dir });

    expect(fs.statSync(file).mode % 0o1000).toBe(0o600);
  });

  test.each([
    ['not JSON', '{ not json', /cannot be read/],
    ['another format', JSON.stringify({ format: 99 }), /has format 99, expected 1/],
    [
      'no private key',
      JSON.stringify({ format: 1, kid: 'k', iamCredentials: { accessKeyId: 'a', secretAccessKey: 's' } }),
      /lacks its kid, private key or IAM credentials/,
    ],
    [
      'a broken private key',
      JSON.stringify({
        format: 1,
        kid: 'k',
        privateKeyPem: 'nope',
        iamCredentials: { accessKeyId: 'a', secretAccessKey: 's' },
      }),
      /holds no readable private key/,
    ],
  ])(
    'GIVEN a key file with %s WHEN loading THEN the error names the file and says how to renew it',
    (_, content, reason) => {
      const dir = tempDir();
      const file = path.join(dir, 'local-dev-keys.json');
      fs.writeFileSync(file, content, { mode: 0o600 });

      expect(() => loadDevKeys({ dir })).toThrow(reason);
      expect(() => loadDevKeys({ dir })).toThrow(`Delete ${file} and a new key pair is made on the next run`);
    },
  );

  describe('where the keys live by default', () => {
    const saved = { cwd: process.cwd(), env: process.env.CDK_SERVERLESS_API_CACHE_DIR };
    afterEach(() => {
      process.chdir(saved.cwd);
      if (saved.env === undefined) delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
      else process.env.CDK_SERVERLESS_API_CACHE_DIR = saved.env;
    });

    test('GIVEN CDK_SERVERLESS_API_CACHE_DIR THEN the keys are kept there, as the bundler keeps its cache', () => {
      const dir = tempDir();
      process.env.CDK_SERVERLESS_API_CACHE_DIR = dir;

      const keys = loadDevKeys();

      expect(devKeysFile()).toBe(path.join(dir, 'local-dev-keys.json'));
      expect(JSON.parse(fs.readFileSync(devKeysFile(), 'utf8')).kid).toBe(keys.kid);
    });

    test('GIVEN a project with node_modules THEN the keys are kept in node_modules/.cache/cdk-serverless-api', () => {
      delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
      const project = fs.realpathSync(tempDir());
      fs.mkdirSync(path.join(project, 'node_modules'));
      process.chdir(project);

      expect(devKeysFile()).toBe(
        path.join(project, 'node_modules', '.cache', 'cdk-serverless-api', 'local-dev-keys.json'),
      );
    });
  });

  test('GIVEN two processes that start at once on a fresh folder (`serverless-api token` and `dev`) THEN both use one key pair', async () => {
    const dir = tempDir();
    // Plain Node processes running the module bundled: what the CLI runs, without a TypeScript loader's start-up.
    const bundle = path.join(tempDir(), 'auth.js');
    buildSync({
      entryPoints: [path.resolve(__dirname, '../../../src/local/auth/index.ts')],
      bundle: true,
      platform: 'node',
      outfile: bundle,
      logLevel: 'silent',
    });
    const script = `process.stdout.write(require(${JSON.stringify(bundle)}).loadDevKeys({ dir: ${JSON.stringify(dir)} }).kid)`;
    const run = () => promisify(execFile)(process.execPath, ['-e', script]);

    const [a, b] = await Promise.all([run(), run()]);

    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(loadDevKeys({ dir }).kid);
    expect(fs.readdirSync(dir)).toEqual(['local-dev-keys.json']);
  }, 30_000);
});
