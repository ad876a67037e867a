import type { ExtensionFactory } from '../../component/factory.js';
import { FileStorageSchema, validateFileStorage, type FileStorageConfig } from './config.js';
import { FileStorage } from './file_storage.js';

export const fileStorageFactory: ExtensionFactory<FileStorageConfig> = {
  kind: 'extension',
  type: 'file_storage',
  schema: FileStorageSchema,
  validate: validateFileStorage,
  create: (_set, cfg) => new FileStorage(cfg),
};
