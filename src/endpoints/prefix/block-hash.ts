// Prefix-cache affinity hashes the prompt in blocks, as the engine's KV cache does: block i's hash
// covers blocks 0..i (chained), so two prompts share block hash i exactly when they share the first
// i+1 blocks. semroute sees text, not tokens, so a block is `blockSize × charsPerToken` characters;
// the engine's real boundaries differ a little, which only blurs the score's last block.
export interface BlockHashing {
  /** The backend's KV block size in tokens (vLLM default 16). */
  blockSize: number;
  /** Characters per token assumed when cutting text into blocks. */
  charsPerToken: number;
  /** Hash at most this many blocks (bounds the work on a long prompt). */
  maxBlocks: number;
}

/** cyrb53-style 53-bit hash of s[start, end) seeded with the previous block's hash. */
function hashSpan(s: string, start: number, end: number, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ Math.floor(seed / 0x100000000);
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The chained hashes of the full blocks of `text` (a partial last block is not cached by engines either). */
export function blockHashes(text: string, cfg: BlockHashing): number[] {
  const width = Math.max(1, Math.round(cfg.blockSize * cfg.charsPerToken));
  const n = Math.min(cfg.maxBlocks, Math.floor(text.length / width));
  const out = new Array<number>(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    prev = hashSpan(text, i * width, (i + 1) * width, prev);
    out[i] = prev;
  }
  return out;
}
