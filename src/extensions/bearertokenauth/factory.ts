import type { ExtensionFactory } from '../../component/factory.js';
import { BearerTokenAuth } from './bearertokenauth.js';
import { BearerTokenAuthSchema, validateBearerTokenAuth, type BearerTokenAuthConfig } from './config.js';

export const bearerTokenAuthFactory: ExtensionFactory<BearerTokenAuthConfig> = {
  kind: 'extension',
  type: 'bearertokenauth',
  schema: BearerTokenAuthSchema,
  validate: validateBearerTokenAuth,
  create: (set, cfg) => new BearerTokenAuth(set, cfg),
};
