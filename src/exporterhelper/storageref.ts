import { Value } from '@sinclair/typebox/value';
import type { ComponentConfig } from '../config/validate.js';
import { StorageSchema, type StorageConfig } from './persistent/config.js';
import type { FileStorageConfig } from '../extensions/file_storage/config.js';

const STORAGE_DEFAULTS = Value.Default(StorageSchema, { directory: '.' }) as StorageConfig;

/**
 * `sending_queue.storage: file_storage/<name>` (the collector's form) becomes
 * the persistent queue's settings taken from that extension, in place, so the
 * queue never looks the extension up. As in the collector, the extension
 * must be configured and enabled in `service.extensions`. Returns problems
 * (`exporters.x.sending_queue.storage: ...`).
 */
export function resolveStorageRefs(components: ReadonlyMap<string, ComponentConfig>, enabled: readonly string[]): string[] {
  const problems: string[] = [];
  for (const c of components.values()) {
    if (c.kind !== 'exporter') continue;
    const queue = (c.config as { sending_queue?: { storage?: unknown } }).sending_queue;
    const ref = queue?.storage;
    if (typeof ref !== 'string') continue;
    const path = `exporters.${c.id}.sending_queue.storage`;
    const ext = components.get(`extensions:${ref}`);
    if (!ext) {
      problems.push(`${path}: extension "${ref}" is not configured under extensions`);
      continue;
    }
    if (ext.type !== 'file_storage') {
      problems.push(`${path}: "${ref}" is not a storage extension (file_storage)`);
      continue;
    }
    if (!enabled.includes(ref)) {
      problems.push(`${path}: extension "${ref}" is not enabled in service.extensions`);
      continue;
    }
    const fs = ext.config as FileStorageConfig;
    const resolved: StorageConfig = {
      directory: fs.directory,
      max_bytes: fs.max_size > 0 ? fs.max_size : STORAGE_DEFAULTS.max_bytes,
      segment_bytes: STORAGE_DEFAULTS.segment_bytes,
      fsync: fs.fsync,
    };
    (queue as { storage: StorageConfig }).storage = resolved;
  }
  return problems;
}
