import { mkdir } from 'node:fs/promises';
import type { Component } from '../../component/component.js';
import type { FileStorageConfig } from './config.js';

/**
 * The `file_storage` extension at run time: it only prepares its directory.
 * The queues themselves belong to the exporters that name it (their
 * `sending_queue.storage` is resolved to this directory when the config is
 * validated), and start after extensions do.
 */
export class FileStorage implements Component {
  constructor(private readonly cfg: FileStorageConfig) {}

  async start(): Promise<void> {
    if (this.cfg.create_directory) await mkdir(this.cfg.directory, { recursive: true, mode: Number.parseInt(this.cfg.directory_permissions, 8) });
  }

  async shutdown(): Promise<void> {}
}
