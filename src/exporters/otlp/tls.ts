import { readFile } from 'node:fs/promises';
import type { TlsClientConfig } from './config.js';

/** PEM material a TLS client config names, read at start so a wrong path fails start with its name. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

export async function loadTls(tls: TlsClientConfig | undefined, owner: string): Promise<TlsMaterial> {
  const read = async (key: 'ca_file' | 'cert_file' | 'key_file') => {
    const p = tls?.[key];
    if (!p) return undefined;
    try {
      return await readFile(p);
    } catch (e) {
      throw new Error(`${owner}.tls.${key}: cannot read ${p}: ${(e as Error).message}`);
    }
  };
  const [ca, cert, key] = await Promise.all([read('ca_file'), read('cert_file'), read('key_file')]);
  if ((cert === undefined) !== (key === undefined)) throw new Error(`${owner}.tls: cert_file and key_file go together`);
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: !(tls?.insecure_skip_verify ?? false),
    ...(tls?.server_name_override ? { servername: tls.server_name_override } : {}),
  };
}
