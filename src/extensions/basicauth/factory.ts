import type { ExtensionFactory } from '../../component/factory.js';
import { BasicAuth } from './basicauth.js';
import { BasicAuthSchema, validateBasicAuth, type BasicAuthConfig } from './config.js';

export const basicAuthFactory: ExtensionFactory<BasicAuthConfig> = {
  kind: 'extension',
  type: 'basicauth',
  schema: BasicAuthSchema,
  validate: validateBasicAuth,
  create: (set, cfg) => new BasicAuth(set, cfg),
};
