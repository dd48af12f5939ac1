export { secretsManagerListener, startLocalSecretsManager } from './local-secrets-manager';
export type { LocalSecretsManager, LocalSecretsManagerOptions, SecretsScope } from './local-secrets-manager';
