// The two Lua scripts of the Redis semantic cache, one round trip each (see redis-keys.ts for the
// key layout). A partition is:
//   entry hash  e:<id>  a = answer JSON, v = int8 vector, s = LSH signature (L × B bytes),
//                       t = request text (semantic entries: what the cache guard compares)
//   index hash  i:<layout>  field byte(table) + bucket bytes → records `id .. signature`, newest
//                            first, at most `cap` per bucket
//   zset        z           id → store time (µs, Redis TIME), for oldest-first eviction
// Records carry the whole signature so the lookup can drop far candidates by Hamming distance
// before it fetches a single vector. Entries that expired leave records behind: lookups remove the
// ones they meet, and the per-bucket cap pushes out the rest.

/** Length of an entry id (base64url characters). */
export const ID_LENGTH = 16;
/** Evictions one store may perform (a lowered max_entries converges over later stores). */
export const MAX_EVICTIONS_PER_STORE = 64;

// string.byte returns its results on the Lua stack (at most ~8000): read long strings in chunks.
const BYTES_OF = `
local function bytesOf(s)
  local n = #s
  if n <= 4096 then return {string.byte(s, 1, n)} end
  local t = {}
  for i = 1, n, 4096 do
    local chunk = {string.byte(s, i, math.min(i + 4095, n))}
    for k = 1, #chunk do t[i + k - 1] = chunk[k] end
  end
  return t
end
`;

const POPCOUNT = Array.from({ length: 256 }, (_, i) => i.toString(2).replace(/0/g, '').length).join(',');

/**
 * KEYS: entry of the exact id, index hash.
 * ARGV: entry key prefix, query int8 vector ('' = exact only), query signature, threshold,
 *       max Hamming distance, candidates to return, index fields to read…
 * Returns {'exact', '1', answer JSON}, {'semantic', similarity, answer JSON, request text ('' if
 * none), …} for up to that many candidates at or above the threshold, best first, or nil.
 */
export const LOOKUP_LUA = `
local exact = redis.call('HGET', KEYS[1], 'a')
if exact then return {'exact', '1', exact} end
local qv, qsig = ARGV[2], ARGV[3]
if qv == '' then return false end
local threshold, maxHam, wanted = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
local buckets = redis.call('HMGET', KEYS[2], unpack(fields))
${BYTES_OF}
local POP = {${POPCOUNT}}
local bxor, sub = bit.bxor, string.sub
local ID, S = ${ID_LENGTH}, #qsig
local R = ID + S
local q = bytesOf(qsig)
local seen, candidates = {}, {}
for i = 1, #buckets do
  local b = buckets[i]
  if b then
    local bytes = bytesOf(b)
    for off = 0, #b - R, R do
      local h, j, base = 0, 1, off + ID
      while j <= S and h <= maxHam do
        h = h + POP[bxor(bytes[base + j], q[j]) + 1]
        j = j + 1
      end
      if h <= maxHam then
        local id = sub(b, off + 1, base)
        if not seen[id] then
          seen[id] = true
          candidates[#candidates + 1] = id
        end
      end
    end
  end
end
if #candidates == 0 then return false end

local d = #qv
local qa, qn = bytesOf(qv), 0
for k = 1, d do
  local x = qa[k]
  if x > 127 then x = x - 256 end
  qa[k] = x
  qn = qn + x * x
end
local hits, stale, anyStale = {}, {}, false
for _, id in ipairs(candidates) do
  local v = redis.call('HGET', ARGV[1] .. id, 'v')
  if not v then
    stale[id], anyStale = true, true
  elseif #v == d then
    local c = bytesOf(v)
    local dot, cn = 0, 0
    for k = 1, d do
      local y = c[k]
      if y > 127 then y = y - 256 end
      dot = dot + qa[k] * y
      cn = cn + y * y
    end
    if cn > 0 and qn > 0 then
      local sim = dot / math.sqrt(qn * cn)
      if sim >= threshold then hits[#hits + 1] = {id, sim} end
    end
  end
end
if anyStale then
  for i = 1, #buckets do
    local b = buckets[i]
    if b then
      local kept = {}
      for off = 0, #b - R, R do
        if not stale[sub(b, off + 1, off + ID)] then kept[#kept + 1] = sub(b, off + 1, off + R) end
      end
      local nb = table.concat(kept)
      if nb == '' then redis.call('HDEL', KEYS[2], fields[i])
      elseif #nb ~= #b then redis.call('HSET', KEYS[2], fields[i], nb) end
    end
  end
end
table.sort(hits, function(x, y) return x[2] > y[2] end)
local out = {'semantic'}
for i = 1, math.min(#hits, wanted) do
  local at = redis.call('HMGET', ARGV[1] .. hits[i][1], 'a', 't')
  if at[1] then
    out[#out + 1] = string.format('%.17g', hits[i][2])
    out[#out + 1] = at[1]
    out[#out + 1] = at[2] or ''
  end
end
if #out > 1 then return out end
return false
`;

/**
 * KEYS: entry, index hash, zset.
 * ARGV: entry key prefix, id, answer JSON, int8 vector ('' = none), signature ('' = none),
 *       bytes per table, signature length of this layout, ttl seconds, max entries, records per bucket,
 *       request text ('' = none; kept with a vector only).
 */
export const STORE_LUA = `
local prefix, id, answer, vec, sig = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local B, S, ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local maxEntries, cap, text = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11]
local ID, sub = ${ID_LENGTH}, string.sub

local function fieldsOf(s)
  local f = {}
  for t = 0, #s / B - 1 do f[#f + 1] = string.char(t) .. sub(s, t * B + 1, (t + 1) * B) end
  return f
end
local function unindex(victim, s)
  local R = ID + #s
  for _, field in ipairs(fieldsOf(s)) do
    local b = redis.call('HGET', KEYS[2], field)
    if b then
      local kept = {}
      for off = 0, #b - R, R do
        if sub(b, off + 1, off + ID) ~= victim then kept[#kept + 1] = sub(b, off + 1, off + R) end
      end
      local nb = table.concat(kept)
      if nb == '' then redis.call('HDEL', KEYS[2], field)
      elseif #nb ~= #b then redis.call('HSET', KEYS[2], field, nb) end
    end
  end
end
-- Shared keys live as long as their longest-lived entry.
local function extendTtl(key)
  if redis.call('TTL', key) < ttl then redis.call('EXPIRE', key, ttl) end
end

local old = redis.call('HGET', KEYS[1], 's')
if old and #old == S then unindex(id, old) end
redis.call('DEL', KEYS[1])
if vec ~= '' and #sig == S then
  if text ~= '' then redis.call('HSET', KEYS[1], 'a', answer, 'v', vec, 's', sig, 't', text)
  else redis.call('HSET', KEYS[1], 'a', answer, 'v', vec, 's', sig) end
  local record = id .. sig
  local limit = cap * #record
  for _, field in ipairs(fieldsOf(sig)) do
    local b = redis.call('HGET', KEYS[2], field)
    local nb = b and (record .. b) or record
    if #nb > limit then nb = sub(nb, 1, limit) end
    redis.call('HSET', KEYS[2], field, nb)
  end
  extendTtl(KEYS[2])
else
  redis.call('HSET', KEYS[1], 'a', answer)
end
redis.call('EXPIRE', KEYS[1], ttl)

local now = redis.call('TIME')
redis.call('ZADD', KEYS[3], now[1] .. string.format('%06d', tonumber(now[2])), id)
extendTtl(KEYS[3])
local excess = redis.call('ZCARD', KEYS[3]) - maxEntries
if excess > 0 then
  local victims = redis.call('ZPOPMIN', KEYS[3], math.min(excess, ${MAX_EVICTIONS_PER_STORE}))
  for i = 1, #victims, 2 do
    local key = prefix .. victims[i]
    local s = redis.call('HGET', key, 's')
    if s and #s == S then unindex(victims[i], s) end
    redis.call('DEL', key)
  end
end
return 0
`;
