// Key layout of the Redis state store. Everything is under key_prefix; every key of a cache
// partition shares the partition's {hash tag} (one Cluster slot, so one script can touch them all),
// and each pin hashes to its own slot. Keys never contain raw conversation ids or request text.
//
//   <prefix>p:{<sha256(pin key)>}               pin JSON
//   <prefix>c:{<partition id>}:e:<entry id>     entry hash (exact key → entry id)
//   <prefix>c:{<partition id>}:i:<layout>       LSH index hash (layout: tables.bits.seed)
//   <prefix>c:{<partition id>}:z                store-time ZSET
import { createHash } from 'node:crypto';
import type { LshParams } from './lsh.js';
import { ID_LENGTH } from './redis-scripts.js';

function digest(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

export function pinKey(prefix: string, key: string): string {
  return `${prefix}p:{${digest(key).slice(0, 22)}}`;
}

/** A stored document (a translated Responses response); the key is hashed, so any id is safe. */
export function documentKey(prefix: string, key: string): string {
  return `${prefix}d:{${digest(key).slice(0, 22)}}`;
}

/** An entry's id: 96 bits of the exact key's hash (collisions are negligible per partition). */
export function entryId(exactKey: string): string {
  return digest(exactKey).slice(0, ID_LENGTH);
}

export interface PartitionKeys {
  /** Prefix of the partition's entry keys: append an entry id. */
  entryPrefix: string;
  index: string;
  zset: string;
}

export function partitionKeys(prefix: string, partitionId: string, lsh: LshParams): PartitionKeys {
  const base = `${prefix}c:{${partitionId}}:`;
  return {
    entryPrefix: `${base}e:`,
    // A different LSH layout reads and writes its own index (records of another size would misparse).
    index: `${base}i:${lsh.tables}.${lsh.bits}.${lsh.seed.toString(36)}`,
    zset: `${base}z`,
  };
}
